import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Contender } from '../contenders/contender.ts';
import { createDynotallyContender } from '../contenders/dynotally.ts';
import { createNaiveContender } from '../contenders/naive.ts';
import { createPowertoolsContender } from '../contenders/powertools.ts';
import { benchStoreExtremaRollup } from './s4-extrema-rollup.ts';

/** The contenders of the end-to-end suite. */
export const E2E_CONTENDERS = [
  'eo-row',
  'eo-row-ui',
  'eo-row-sdk1',
  'eo-row-x',
  'eo-row-x-ui',
  'eo-tx',
  'alo',
  'naive',
  'powertools',
] as const;
export type E2eContenderId = (typeof E2E_CONTENDERS)[number];

/** How a contender is named in tables and built, with the settings it runs at. */
export interface E2eContenderSpec {
  id: E2eContenderId;
  label: string;
  /** Its best settings, as measured on DynamoDB Local (see README "Performance"). */
  settings: string;
  make(tableBase: string): Contender;
  /**
   * Tables (from the cell's table base) whose writes are priced from their stream's item images, because the
   * contender writes them with PartiQL, for which DynamoDB Local reports no consumed capacity.
   */
  imageTables?(tableBase: string): string[];
  /** Client settings over the bench's own (`localClientConfig` with `BENCH_CLIENT_TIMEOUTS`: 3 s connect, 180 s per attempt, 512 sockets). */
  client?: Partial<DynamoDBClientConfig>;
}

// Concurrency measured on DynamoDB Local at 1,000 records a batch: naive 16 → 32 nearly doubles events/s,
// 64 is no faster; dynotally's per-row UpdateItems are flat from 16 to 128 (32 kept, the Applier's default);
// the transaction strategy gains from 64 transactions in flight; Powertools runs a batch's records in
// parallel (its default, processInParallel), each record's six to twelve ADDs together.
// The Applier's concurrency counts requests: on PartiQL each carries up to 25 rows, so 32 in flight is 800 rows
// queued at DynamoDB Local, and on this shared, loaded machine (load average 30) the last of them waited past
// the 30 s attempt timeout (TimeoutError, the warm-up batch failed after 6 attempts). 8 requests in flight is
// 200 rows, still more than the UpdateItem path's 32.
const PARTIQL_CONCURRENCY = 8;

// The row-watermark contender runs three ways: on its default PartiQL path (the headline), on one UpdateItem
// a row (the path of the previous figures), and on PartiQL with the SDK's own retries off (maxAttempts 1:
// every retry is dynotally's), to measure what the SDK's retry layer costs in client CPU.
const SPECS: Record<E2eContenderId, Omit<E2eContenderSpec, 'id'>> = {
  'eo-row': {
    label: 'dynotally exactly-once (row-watermark), PartiQL',
    settings: 'concurrency 8 × 25 statements',
    make: (t) =>
      createDynotallyContender({
        name: 'eo-row',
        tableName: t,
        mode: 'exactly-once',
        strategy: 'row-watermark',
        concurrency: PARTIQL_CONCURRENCY,
      }),
    imageTables: (t) => [t],
  },
  'eo-row-ui': {
    label: 'dynotally exactly-once (row-watermark), UpdateItem',
    settings: "concurrency 32, write: { api: 'update-item' }",
    make: (t) =>
      createDynotallyContender({
        name: 'eo-row-ui',
        tableName: t,
        mode: 'exactly-once',
        strategy: 'row-watermark',
        concurrency: 32,
        write: { api: 'update-item' },
      }),
    imageTables: (t) => [t],
  },
  'eo-row-sdk1': {
    label: 'dynotally exactly-once (row-watermark), PartiQL, SDK retries off',
    settings: 'concurrency 8 × 25 statements, client maxAttempts 1',
    make: (t) =>
      createDynotallyContender({
        name: 'eo-row-sdk1',
        tableName: t,
        mode: 'exactly-once',
        strategy: 'row-watermark',
        concurrency: PARTIQL_CONCURRENCY,
      }),
    imageTables: (t) => [t],
    client: { maxAttempts: 1 },
  },
  'eo-row-x': {
    label: 'dynotally exactly-once + max/last, PartiQL',
    settings: 'concurrency 8 × 25 statements',
    make: (t) =>
      createDynotallyContender({
        name: 'eo-row-x',
        tableName: t,
        mode: 'exactly-once',
        concurrency: PARTIQL_CONCURRENCY,
        rollup: benchStoreExtremaRollup,
      }),
    imageTables: (t) => [t],
  },
  'eo-row-x-ui': {
    label: 'dynotally exactly-once + max/last, UpdateItem',
    settings: "concurrency 32, write: { api: 'update-item' }",
    make: (t) =>
      createDynotallyContender({
        name: 'eo-row-x-ui',
        tableName: t,
        mode: 'exactly-once',
        concurrency: 32,
        rollup: benchStoreExtremaRollup,
        write: { api: 'update-item' },
      }),
    imageTables: (t) => [t],
  },
  'eo-tx': {
    label: 'dynotally exactly-once (transaction)',
    settings: 'concurrency 64',
    make: (t) =>
      createDynotallyContender({
        name: 'eo-tx',
        tableName: t,
        mode: 'exactly-once',
        strategy: 'transaction',
        concurrency: 64,
      }),
  },
  alo: {
    label: 'dynotally at-least-once, PartiQL',
    settings: 'concurrency 8 × 25 statements',
    make: (t) =>
      createDynotallyContender({
        name: 'alo',
        tableName: t,
        mode: 'at-least-once',
        concurrency: PARTIQL_CONCURRENCY,
      }),
    imageTables: (t) => [t],
  },
  naive: {
    label: 'naive (UpdateItem ADD per event × granularity)',
    settings: 'pool of 32',
    make: (t) => createNaiveContender({ tableName: t, concurrency: 32 }),
  },
  powertools: {
    label: 'powertools (BatchProcessor + idempotency)',
    settings: 'records in parallel',
    make: (t) => createPowertoolsContender({ tableName: t, idempotencyTableName: `${t}-idem` }),
    // The SDK's default client, as a Lambda has it (50 sockets, no connection timeout): a batch's records all
    // in flight at once queue for sockets, and the bench's 3 s connection timer (which the SDK starts when a
    // request is queued) would fail records that were never sent.
    client: { requestHandler: { requestTimeout: 120_000, httpAgent: { keepAlive: true, maxSockets: 50 } } },
  },
};

/**
 * The spec of one end-to-end contender.
 *
 * @example
 * ```ts
 * const naive = e2eContender('naive').make('bench-naive-b100');
 * ```
 */
export function e2eContender(id: E2eContenderId): E2eContenderSpec {
  return { id, ...SPECS[id] };
}

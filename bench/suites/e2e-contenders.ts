import type { Contender } from '../contenders/contender.ts';
import { createDynotallyContender } from '../contenders/dynotally.ts';
import { createNaiveContender } from '../contenders/naive.ts';
import { createPowertoolsContender } from '../contenders/powertools.ts';

/** The contenders of the end-to-end suite. */
export const E2E_CONTENDERS = ['eo-row', 'eo-tx', 'alo', 'naive', 'powertools'] as const;
export type E2eContenderId = (typeof E2E_CONTENDERS)[number];

/** How a contender is named in tables and built, with the settings it runs at. */
export interface E2eContenderSpec {
  id: E2eContenderId;
  label: string;
  /** Its best settings, as measured on DynamoDB Local (see README "Performance"). */
  settings: string;
  make(tableBase: string): Contender;
}

// Concurrency measured on DynamoDB Local at 1,000 records a batch: naive 16 → 32 nearly doubles events/s,
// 64 is no faster; dynotally's per-row UpdateItems are flat from 16 to 128 (32 kept, the Applier's default);
// the transaction strategy gains from 64 transactions in flight; Powertools runs a batch's records in
// parallel (its default, processInParallel), each record's six to twelve ADDs together.
const SPECS: Record<E2eContenderId, Omit<E2eContenderSpec, 'id'>> = {
  'eo-row': {
    label: 'dynotally exactly-once (row-watermark)',
    settings: 'concurrency 32',
    make: (t) =>
      createDynotallyContender({
        name: 'eo-row',
        tableName: t,
        mode: 'exactly-once',
        strategy: 'row-watermark',
        concurrency: 32,
      }),
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
    label: 'dynotally at-least-once',
    settings: 'concurrency 32',
    make: (t) =>
      createDynotallyContender({ name: 'alo', tableName: t, mode: 'at-least-once', concurrency: 32 }),
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

// Crashes and lost responses, injected through the SDK middleware stack of the handler's own client; every
// request that gets through is real DynamoDB Local. Exactly-once must survive all of them.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { type CrashKind, faultyTestClients } from '../support/faults.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  memoryLogger,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { mixedOps, ORACLE, rng, run } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
// faulty: the handler's client, with the fault injector on its middleware stack
const { clients, faulty, faults } = faultyTestClients();

const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
let pipeline: Pipeline;
let shard: ShardStream;
let expectedAll: Map<string, string>;
let expectedFirst200: Map<string, string>;

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'faults');
  await run(pipeline, mixedOps(31, 1.6));
  const shards = await pipeline.readStream();
  expect(shards).toHaveLength(1);
  shard = shards[0] as ShardStream;
  expectedAll = expectedCells(Object.values(ORACLE), replay(shards));
  expectedFirst200 = expectedCells(Object.values(ORACLE), replay(shards, { upTo: 200 }));
});

/**
 * Lambda-sized batches; the transaction strategy gets larger ones (so a batch needs several transactions)
 * over the whole stream, the row-watermark strategy two batches of 100 (its paths are per row, not per chunk).
 */
const batches = (strategy: ExactlyOnceStrategy = 'row-watermark') => {
  const size = strategy === 'transaction' ? 250 : 100;
  const end = strategy === 'transaction' ? shard.records.length : 200;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < end; i += size) out.push([i, Math.min(end, i + size)]);
  return out;
};

async function once(handler: ReturnType<Pipeline['handler']>, [from, to]: [number, number]) {
  const [res] = await deliver(handler, shard, { from, to, batchSize: to - from });
  return res?.batchItemFailures ?? [];
}

describe.each<ExactlyOnceStrategy>(['row-watermark', 'transaction'])(
  'exactly-once under faults (%s)',
  (strategy) => {
    const expected = () => (strategy === 'transaction' ? expectedAll : expectedFirst200);
    /** The write commands a clean first delivery of each batch sends, in order, and those that succeed. */
    let cleanLogs: string[][];
    let cleanAccepted: string[][];

    beforeAll(async () => {
      const table = await pipeline.newAggregateTable(`agg-clean-${strategy}`);
      const handler = pipeline.handler({ table, strategy, client: faulty.ddb });
      cleanLogs = [];
      cleanAccepted = [];
      for (const b of batches(strategy)) {
        faults.heal();
        expect(await once(handler, b)).toEqual([]);
        cleanLogs.push([...faults.log]);
        cleanAccepted.push([...faults.accepted]);
      }
      expect(diffCells(await pipeline.canonical(table), expected())).toEqual([]);
      if (strategy === 'transaction')
        expect(cleanLogs.some((l) => l.filter((c) => c === 'TransactWriteItemsCommand').length > 1)).toBe(
          true,
        );
    });

    it('a crash after k of m writes (fatal or retryable), a second crash on the retry, then a clean retry', async () => {
      const table = await pipeline.newAggregateTable(`agg-crash-${strategy}`);
      const logger = memoryLogger();
      const handler = pipeline.handler({ table, strategy, client: faulty.ddb, retry: fastRetry, logger });
      const random = rng(strategy === 'transaction' ? 41 : 42);
      let crashes = 0;
      for (const [j, b] of batches(strategy).entries()) {
        const m = (cleanLogs[j] as string[]).length;
        const first = shard.records[b[0]]?.dynamodb?.SequenceNumber;
        // where to crash: an early, a random and (transactions) the first extremum write after a commit
        const afterCommit =
          (cleanLogs[j] as string[]).findIndex(
            (c, i, log) => c === 'UpdateItemCommand' && log[i - 1] === 'TransactWriteItemsCommand',
          ) + 1;
        const ks = [
          1 + Math.floor(random() * m),
          strategy === 'transaction' && afterCommit > 0 ? afterCommit : 1 + Math.floor(random() * m),
        ];
        for (const [attempt, k] of ks.entries()) {
          const kind: CrashKind = (j + attempt) % 2 === 0 ? 'fatal' : 'retryable';
          faults.crashFrom(k, kind);
          const failures = await once(handler, b);
          if (faults.injected > 0) {
            crashes++;
            expect(failures).toEqual([{ itemIdentifier: first }]);
          } else expect(failures).toEqual([]); // the retry needed fewer than k writes
        }
        faults.heal();
        expect(await once(handler, b)).toEqual([]);
      }
      expect(crashes).toBeGreaterThanOrEqual(batches(strategy).length);
      expect(logger.lines.some((l) => l.level === 'error' && l.message.startsWith('batch failed'))).toBe(
        true,
      );
      expect(diffCells(await pipeline.canonical(table), expected())).toEqual([]);
    });

    it.each(['caller', 'sdk'] as const)(
      'a write that committed but reported a timeout (%s retries it)',
      async (where) => {
        const table = await pipeline.newAggregateTable(`agg-lost-${strategy}-${where}`);
        const handler = pipeline.handler({ table, strategy, client: faulty.ddb, retry: fastRetry });
        const random = rng(where === 'sdk' ? 51 : 52);
        for (const [j, b] of batches(strategy).entries()) {
          const log = cleanAccepted[j] as string[];
          // lose the response of a transaction when there is one, else of a random write
          const tx = log.indexOf('TransactWriteItemsCommand');
          const at = tx >= 0 && j % 2 === 0 ? tx + 1 : 1 + Math.floor(random() * log.length);
          faults.loseResponse(at, where);
          expect(await once(handler, b)).toEqual([]);
          expect(faults.injected).toBe(1);
        }
        faults.heal();
        expect(diffCells(await pipeline.canonical(table), expected())).toEqual([]);
      },
    );
  },
);

describe('handler failure reporting', () => {
  it('exactly-once without a shard id fails loudly with SHARD_ID_MISSING; at-least-once does not need one', async () => {
    const records = shard.records.slice(0, 5);
    const err = await pipeline
      .handler({ table: await pipeline.newAggregateTable('agg-noshard') })({ Records: records })
      .catch((e: unknown) => e);
    expect(isDynotallyError(err, 'SHARD_ID_MISSING'), String(err)).toBe(true);
    const table = await pipeline.newAggregateTable('agg-noshard-alo');
    expect(await pipeline.handler({ table, mode: 'at-least-once' })({ Records: records })).toEqual({
      batchItemFailures: [],
    });
    expect((await scanTable(clients.ddb, table)).length).toBeGreaterThan(0);
  });

  it('a write still failing after bounded retries returns the batch’s first sequence number and writes nothing else', async () => {
    const table = await pipeline.newAggregateTable('agg-retries');
    const logger = memoryLogger();
    const handler = pipeline.handler({
      table,
      client: faulty.ddb,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      logger,
    });
    faults.crashFrom(1, 'retryable');
    const failures = await once(handler, [40, 90]);
    faults.heal();
    expect(failures).toEqual([{ itemIdentifier: shard.records[40]?.dynamodb?.SequenceNumber }]);
    const logged = logger.lines.find((l) => l.message.startsWith('batch failed'));
    expect(isDynotallyError(logged?.fields?.error, 'APPLY_FAILED'), JSON.stringify(logged)).toBe(true);
    expect(await scanTable(clients.ddb, table)).toEqual([]);
  });
});

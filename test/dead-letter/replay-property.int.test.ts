// Property: whatever records are dead-lettered (after crashes that applied all, some or none of their rows),
// and whatever subsets of the dead letters are replayed — once, twice, concurrently, interleaved with the later
// batches of the shard — after a final replay of everything the aggregates equal the oracle over the whole
// stream: each dead letter counted exactly once.
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { listDeadLetters, replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { mixedOps, ORACLE, run } from '../apply/workload.ts';
import { faultyTestClients } from '../support/faults.ts';
import {
  diffCells,
  expectedCells,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { runWithDeadLetters } from './simulate.ts';

vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 480_000 });
const { clients, faulty, faults } = faultyTestClients();

let pipeline: Pipeline;
let shard: ShardStream;
let expectedAll: Map<string, string>;

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlprop');
  await run(pipeline, mixedOps(97, 0.5));
  const shards = await pipeline.readStream();
  shard = shards[0] as ShardStream;
  expectedAll = expectedCells(Object.values(ORACLE), replay(shards));
});

const scenario = (n: number) =>
  fc.record({
    dead: fc.uniqueArray(fc.integer({ min: 0, max: n - 2 }), { minLength: 1, maxLength: 4 }),
    crashAt: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
    // after each dead letter: replay nothing, the newest, every one so far, or every one twice at once
    between: fc.array(fc.constantFrom('none', 'newest', 'all', 'all-twice'), { minLength: 4, maxLength: 4 }),
    batchSize: fc.constantFrom(7, 25, 60),
  });

/** The strategies, and the row-watermark strategy with every row written twice gone transactional. */
const STRATEGIES: Array<[string, ExactlyOnceStrategy, number | undefined]> = [
  ['row-watermark', 'row-watermark', undefined],
  ['transaction', 'transaction', undefined],
  ['row-watermark, rows past a state budget of 0', 'row-watermark', 0],
];

describe.each(STRATEGIES)('replay property (%s)', (_, strategy, stateBudgetBytes) => {
  it('random dead letters, random replays interleaved with later batches: equal to the oracle', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenario(shard.records.length), async (s) => {
        runs++;
        const table = await pipeline.newAggregateTable(`agg-p-${strategy}`);
        const dlq = await pipeline.newDeadLetterTable(`dlq-p-${strategy}`);
        const opts = { client: clients.ddb, deadLetterTable: dlq, table, rollups: referenceRollups };
        const dead = [...s.dead].sort((a, b) => a - b);
        let i = 0;
        await runWithDeadLetters({
          pipeline,
          shard,
          faulty: faulty.ddb,
          faults,
          table,
          deadLetterTable: dlq,
          strategy,
          dead,
          batchSize: s.batchSize,
          ...(stateBudgetBytes === undefined ? {} : { stateBudgetBytes }),
          crashAt: (k) => s.crashAt[k] ?? 1,
          between: async () => {
            const what = s.between[i++] ?? 'none';
            if (what === 'newest') {
              const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
              const newest = letters[letters.length - 1];
              if (newest !== undefined) await replayDeadLetters({ ...opts, ids: [newest.id] });
            } else if (what === 'all') await replayDeadLetters({ ...opts, all: true });
            else if (what === 'all-twice')
              await Promise.all([
                replayDeadLetters({ ...opts, all: true }),
                replayDeadLetters({ ...opts, all: true }),
              ]);
          },
        });
        await replayDeadLetters({ ...opts, all: true });
        await replayDeadLetters({ ...opts, all: true });
        const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
        expect(letters).toHaveLength(dead.length);
        expect(letters.every((l) => l.replayedAt !== undefined)).toBe(true);
        expect(diffCells(await pipeline.canonical(table), expectedAll)).toEqual([]);
        if (stateBudgetBytes !== undefined)
          expect((await scanTable(clients.ddb, table)).some((row) => row['~tx'] !== undefined)).toBe(true);
      }),
      {
        numRuns: 3,
        seed: strategy === 'transaction' ? 11 : 12 + (stateBudgetBytes ?? 0),
        endOnFailure: true,
      },
    );
    expect(runs).toBe(3);
  });
});

// Property: the hostile source items of test/apply/hostile-items.property.int.test.ts, counted by a backfill.
// Random sequences of puts and deletes of items whose attributes take any value DynamoDB stores (test/support/
// hostile-items.ts) are written to a real source table on DynamoDB Local; both rollups are registered as versions
// being built (a new rollup over existing items) and backfilled, in a random number of segments and chunk size, with
// a DynamoDB dead-letter table. Then:
// - every backfill completes (an item that cannot be counted never stops it);
// - its letters (source `backfill:<rollup>`) are VALUE_INVALID, KEY_TOO_LARGE or NUMBER_UNREPRESENTABLE, one per
//   item, as many as `progress.uncountable` says;
// - the aggregate table equals the oracle over the final items each backfill could count: those with a time
//   attribute (absent or NULL is untimed: the stream's to count at its record's time, docs/backfill.md) that its
//   backfill did not dead-letter. Which items a sum past 38 digits refuses depends on the chunks' order; the letters
//   say which, and a letter leaves no trace in the version's rows.
// Runs: HOSTILE_BACKFILL_RUNS (default 16), seed HOSTILE_BACKFILL_SEED; DEBUG_HOSTILE=1 prints the items and letters.
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import {
  byGroup,
  byPair,
  expectedOfItems,
  scenarioArb,
  shortImage,
  write,
} from '../support/hostile-items.ts';
import { diffCells, Pipeline } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const shapeArb = fc.record({
  segments: fc.integer({ min: 1, max: 3 }),
  chunkItems: fc.constantFrom(1, 2, 3, 500),
});

describe('hostile source items, backfilled', () => {
  let runs = 0;
  it('every item is counted exactly or dead-lettered without a trace, and the backfill completes', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, shapeArb, async ({ ops }, { segments, chunkItems }) => {
        runs++;
        const pipeline = await Pipeline.create(clients, [byGroup, byPair], `hostile-bf-${runs}`);
        await write(pipeline, ops);
        const claimTable = uniqueTableName('hostile-bf-claims');
        await createClaimTable(clients.ddb, claimTable);
        const table = pipeline.aggregates;
        for (const rollup of [byGroup, byPair])
          await registerVersions(clients.ddb, table, [rollup.compiled], { firstVersion: 'building' });
        const dlq = await pipeline.newDeadLetterTable('hostile-bf-dlq');
        const deadLetter = new DynamoDbDeadLetterSink(clients.ddb, dlq);
        const uncountable = new Map<string, number>();
        for (const rollup of [byGroup, byPair]) {
          const report = await runBackfill({
            client: clients.ddb,
            source: pipeline.source,
            table,
            claimTable,
            rollup,
            segments,
            chunkItems,
            settleMs: 0,
            deadLetter,
          });
          expect(report.complete).toBe(true);
          uncountable.set(rollup.name, report.progress.uncountable);
        }
        const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
        const refused = new Map<string, Set<string>>();
        for (const l of letters) {
          expect(l.code).toMatch(/^(VALUE_INVALID|KEY_TOO_LARGE|NUMBER_UNREPRESENTABLE)$/);
          const rollup = l.source.replace(/^backfill:/, '');
          const ids = refused.get(rollup) ?? new Set<string>();
          ids.add(l.record?.dynamodb?.Keys?.id?.S ?? '');
          refused.set(rollup, ids);
        }
        for (const rollup of [byGroup, byPair])
          expect(refused.get(rollup.name)?.size ?? 0).toBe(uncountable.get(rollup.name));
        if (process.env.DEBUG_HOSTILE) {
          for (const img of pipeline.items.values()) console.log(img.id?.S, shortImage(img));
          for (const l of letters)
            console.log(l.source, l.record?.dynamodb?.Keys?.id?.S, l.code, l.reason.slice(0, 200));
        }
        expect(
          diffCells(await pipeline.canonical(), expectedOfItems([...pipeline.items.values()], refused)),
        ).toEqual([]);
      }),
      {
        numRuns: Number(process.env.HOSTILE_BACKFILL_RUNS ?? 16),
        seed: Number(process.env.HOSTILE_BACKFILL_SEED ?? 29),
        endOnFailure: true,
      },
    );
    expect(runs).toBeGreaterThan(0);
  });
});

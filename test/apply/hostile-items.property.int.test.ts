// Property: whatever a source table holds, every stream record is either counted exactly or dead-lettered with a
// code, and a dead-lettered one leaves no trace. Random sequences of puts and deletes of items whose attributes
// take any value DynamoDB stores (groups near the 2,048-byte key limit, numbers of 38 digits and at the ends of
// DynamoDB's range, sums that cannot be held in 38 digits, times out of range or in the wrong format, scalars of
// the wrong type, lists, maps, sets, images near 400 KB) are written to a real source table on DynamoDB Local,
// its stream is read back and delivered to the Lambda handler in random batches, with a DynamoDB dead-letter
// table, for both exactly-once strategies. Then:
// - no batch fails (a record that cannot be counted never blocks its shard);
// - the aggregate table equals an oracle that adds each record that was not dead-lettered (its new image minus
//   its old one: the handler's own semantics, so a chain of changes around a dead letter is exact) and takes
//   min / max over their new images;
// - redelivering every batch changes nothing.
// Unlike bad-input-corpus (one crafted record a batch), the records here come from DynamoDB itself and meet each
// other: unrepresentable sums across records of one batch, a change from a bad image to a good one, a removal of
// an item whose insert was dead-lettered.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { testClients } from '../support/ddb.ts';
import { byGroup, byPair, expectedOf, explain, scenarioArb, write } from '../support/hostile-items.ts';
import { deliver, diffCells, memoryLogger, Pipeline } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STRATEGIES: ExactlyOnceStrategy[] = ['row-watermark', 'transaction'];

describe.each(STRATEGIES)('hostile source items (%s)', (strategy) => {
  let runs = 0;
  beforeAll(() => {
    runs = 0;
  });

  it('every record is counted exactly or dead-lettered without a trace, and no batch fails', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ ops, batchSize }) => {
        runs++;
        const pipeline = await Pipeline.create(clients, [byGroup, byPair], `hostile-${runs}`);
        await write(pipeline, ops);
        const shards = await pipeline.readStream();
        const dlq = await pipeline.newDeadLetterTable('hostile-dlq');
        const logger = memoryLogger();
        const handler = pipeline.handler({ strategy, deadLetter: { table: dlq }, logger });
        for (let round = 0; round < 2; round++)
          for (const shard of shards)
            for (const res of await deliver(handler, shard, { batchSize }))
              expect(
                res.batchItemFailures,
                JSON.stringify(logger.lines.filter((l) => l.level === 'error')),
              ).toEqual([]);
        const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
        for (const l of letters)
          expect(l.code).toMatch(/^(VALUE_INVALID|KEY_TOO_LARGE|NUMBER_UNREPRESENTABLE)$/);
        const dead = new Set(letters.map((l) => l.sequenceNumber));
        if (process.env.DEBUG_HOSTILE) explain(shards, letters);
        expect(dead.size).toBe(letters.length); // the redelivery dead-lettered nothing twice
        expect(diffCells(await pipeline.canonical(), expectedOf(shards, letters))).toEqual([]);
      }),
      {
        numRuns: Number(process.env.HOSTILE_RUNS ?? 10),
        seed: Number(process.env.HOSTILE_SEED ?? (strategy === 'transaction' ? 26 : 27)),
        endOnFailure: true,
      },
    );
    expect(runs).toBeGreaterThan(0);
  });
});

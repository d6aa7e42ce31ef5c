// Property: the hostile source items of test/apply/hostile-items.property.int.test.ts, through the Redis buffer.
// Random sequences of puts and deletes of items whose attributes take any value DynamoDB stores (test/support/
// hostile-items.ts) are written to a real source table on DynamoDB Local; its stream is delivered, in random
// batches and twice, to a Lambda handler whose write side is the buffered applier (its poison to a DynamoDB
// dead-letter table), with the fake clock moving between batches (so the cells of one row spread over several
// flush buckets) and closed buckets flushed at random points; then everything is flushed (`all`), with the
// flusher's dead letters in the same table (the flusher's client refuses every write of one row key, at random, as
// DynamoDB refuses a row over its limits: these items alone never make it refuse a buffered row). Then:
// - no batch fails (a record that cannot be counted never blocks its shard), and no flush fails;
// - record letters are VALUE_INVALID, KEY_TOO_LARGE or NUMBER_UNREPRESENTABLE, each record once; the flusher's
//   are ROW_REJECTED;
// - the aggregate table equals the oracle over the records that were not dead-lettered (as on the direct path),
//   less what the flusher's ROW_REJECTED letters hold: such a letter carries the exact deltas of a buffered row
//   (or row part) DynamoDB refused (docs/dead-letter-codes.md, docs/redis-buffer.md "Sums past 38 digits"). Their
//   records were counted into Redis (they are not record letters), and the deltas are what of them was not written:
//   the table holds the oracle minus those deltas, until the letter is replayed. (A buffered record letter has no
//   `pendingRows`: the buffer leaves a refused record out of every cell before it writes any.)
// Runs: HOSTILE_REDIS_RUNS (default 10), seed HOSTILE_REDIS_SEED; DEBUG_HOSTILE=1 prints each record's fate.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { testClients } from '../support/ddb.ts';
import { byGroup, byPair, expectedOf, explain, scenarioArb, write } from '../support/hostile-items.ts';
import { deliver, diffCells, Pipeline } from '../support/pipeline.ts';
import { fakeClock, MINUTE, quietLogger } from './harness.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());
const env = useBufferEnv();

/** Per batch: minutes the clock moves before it, and whether closed buckets are flushed after it. */
/**
 * DynamoDB refuses no buffered row of these items by itself (the write path's checks foresee every refusal the
 * items can cause), so the flusher's dead letters are also driven: every flush write of one row key is refused as
 * DynamoDB refuses an item over its limits (or of none).
 */
const refusedRowArb = fc.constantFrom(undefined, 'hx#sa', 'hy#sb#sview');

/** A client whose UpdateItem of the row `pk` is refused with a ValidationException. */
function refusingRow(pk: string | undefined): typeof clients.ddb {
  if (pk === undefined) return clients.ddb;
  return new Proxy(clients.ddb, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: UpdateItemCommand) => {
        if (command instanceof UpdateItemCommand && command.input.Key?.pk?.S === pk)
          throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
            name: 'ValidationException',
          });
        return target.send(command);
      };
    },
  });
}

const stepsArb = fc.array(fc.record({ advance: fc.integer({ min: 0, max: 2 }), flush: fc.boolean() }), {
  minLength: 1,
  maxLength: 12,
});

describe('hostile source items through the Redis buffer', () => {
  let runs = 0;
  it('every record is counted exactly or dead-lettered; a refused row is held whole by its letter', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, stepsArb, refusedRowArb, async ({ ops, batchSize }, steps, refuse) => {
        runs++;
        const pipeline = await Pipeline.create(clients, [byGroup, byPair], `hostile-rb-${runs}`);
        await write(pipeline, ops);
        const shards = await pipeline.readStream();
        const dlq = await pipeline.newDeadLetterTable('hostile-rb-dlq');
        const logger = quietLogger();
        const clock = fakeClock(Date.UTC(2026, 0, 10, 12, 0, 7));
        const common = {
          redis: env.redis,
          client: clients.ddb,
          table: pipeline.aggregates,
          rollups: [byGroup, byPair],
          bucketMs: MINUTE,
          keyPrefix: `hostile-${process.pid}-${runs}:{b}:`,
          now: clock.now,
          logger,
        };
        const handler = createStreamHandler({
          applier: createBufferedApplier(common),
          client: clients.ddb,
          deadLetter: { table: dlq },
          logger,
        });
        const flusher = createFlusher({
          ...common,
          client: refusingRow(refuse),
          graceMs: 0,
          keepFlushedMs: 0,
          deadLetter: new DynamoDbDeadLetterSink(clients.ddb, dlq),
        });
        const errors = () => JSON.stringify(logger.lines.filter((l) => l.level === 'error')).slice(0, 2000);
        let batch = 0;
        for (let round = 0; round < 2; round++)
          for (const shard of shards)
            for (let from = 0; from < shard.records.length; from += batchSize) {
              const step = steps[batch++ % steps.length] as (typeof steps)[number];
              clock.advance(step.advance * MINUTE);
              const [res] = await deliver(handler, shard, { batchSize, from, to: from + batchSize });
              expect(res?.batchItemFailures, errors()).toEqual([]);
              if (step.flush) await flusher.flushClosed();
            }
        clock.advance(2 * MINUTE);
        await flusher.flushClosed({ all: true });
        expect(await env.redis.zcard(`${common.keyPrefix}open`)).toBe(0);
        const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
        const records = letters.filter((l) => l.record !== undefined);
        for (const l of records)
          expect(l.code).toMatch(/^(VALUE_INVALID|KEY_TOO_LARGE|NUMBER_UNREPRESENTABLE)$/);
        for (const l of letters.filter((x) => x.record === undefined)) expect(l.code).toBe('ROW_REJECTED');
        if (process.env.DEBUG_HOSTILE) {
          explain(shards, records);
          for (const l of letters) if (l.deltas) console.log(l.code, l.reason, JSON.stringify(l.deltas));
        }
        expect(new Set(records.map((l) => l.sequenceNumber)).size).toBe(records.length);
        expect(diffCells(await pipeline.canonical(), expectedOf(shards, letters))).toEqual([]);
      }),
      {
        numRuns: Number(process.env.HOSTILE_REDIS_RUNS ?? 10),
        seed: Number(process.env.HOSTILE_REDIS_SEED ?? 28),
        endOnFailure: true,
      },
    );
    expect(runs).toBeGreaterThan(0);
  });
});

// The Lambda handler behind a faulty network: every request to DynamoDB Local goes through the fault proxy,
// which loses replies of applied writes, delays, resets connections and throttles, on random schedules. The
// batches are delivered as Lambda does (a failed batch, thrown as the handler does by default, comes back from
// its first record, a successful one is sometimes delivered again); once the faults stop and the stream is
// drained, every aggregate equals the oracle and nothing went to the dead-letter table.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { mixedOps, ORACLE, run } from '../apply/workload.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { FaultSchedule, faultStepsArb } from '../support/fault-schedule.ts';
import {
  diffCells,
  expectedCells,
  memoryLogger,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 480_000 });
const clients = testClients();
let proxy: FaultProxy;
let faulty: DynamoDBClient;
let pipeline: Pipeline;
let shard: ShardStream;
let expected: Map<string, string>;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: await ddbReady() });
  faulty = new DynamoDBClient(localClientConfig(proxy.endpoint));
  pipeline = await Pipeline.create(clients, referenceRollups, 'fault-h');
  await run(pipeline, mixedOps(41, 0.5));
  const shards = await pipeline.readStream();
  expect(shards).toHaveLength(1);
  shard = shards[0] as ShardStream;
  expected = expectedCells(Object.values(ORACLE), replay(shards));
});

afterAll(async () => {
  faulty?.destroy();
  await proxy?.close();
  clients.destroy();
});

/** How Lambda is made to deliver: batch sizes (cycled) and which successful batches it delivers again. */
const deliveryArb = fc.record({
  strategy: fc.constantFrom<ExactlyOnceStrategy>('row-watermark', 'transaction'),
  sizes: fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 4 }),
  again: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  steps: faultStepsArb({ maxAfter: 40, maxRequests: 10 }),
});

/**
 * One invocation as Lambda sees it: the sequence number it resumes at, or undefined when the batch is done. A batch
 * the handler throws (its default without `DYNOTALLY_REPORT_BATCH_ITEM_FAILURES`) is retried from its first record,
 * as a reported one is.
 */
async function invoke(
  handler: ReturnType<Pipeline['handler']>,
  Records: DynamoDBRecord[],
): Promise<string | undefined> {
  try {
    return (await handler({ Records, shardId: shard.shardId })).batchItemFailures[0]?.itemIdentifier;
  } catch {
    return Records[0]?.dynamodb?.SequenceNumber;
  }
}

/** Delivers the whole shard like Lambda; returns how many invocations it took. */
async function drain(
  handler: ReturnType<Pipeline['handler']>,
  sizes: readonly number[],
  again: readonly boolean[],
): Promise<number> {
  const records = shard.records;
  let pos = 0;
  let calls = 0;
  for (let i = 0; pos < records.length; i++) {
    if (++calls > 2_000) throw new Error(`the shard did not drain (stuck at record ${pos})`);
    const to = Math.min(records.length, pos + (sizes[i % sizes.length] ?? 100));
    const failed = await invoke(handler, records.slice(pos, to));
    if (failed === undefined) {
      if (again[i % again.length]) {
        calls++;
        // a redelivery may fail under faults too: then Lambda retries from the record it names
        const f = await invoke(handler, records.slice(pos, to));
        if (f !== undefined) {
          pos = records.findIndex((r) => r.dynamodb?.SequenceNumber === f);
          continue;
        }
      }
      pos = to;
    } else {
      const at = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
      if (at < pos || at >= to) throw new Error(`batchItemFailures names ${failed}, outside the batch`);
      pos = at;
    }
  }
  return calls;
}

describe('fault tier: createStreamHandler behind drops, delays, resets and throttling', () => {
  it('equals the oracle once the faults stop, with nothing dead-lettered', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(deliveryArb, async ({ strategy, sizes, again, steps }) => {
        runs++;
        const table = await pipeline.newAggregateTable(`fault-h-${strategy}`);
        const deadLetters = await pipeline.newDeadLetterTable('fault-h-dl');
        const schedule = new FaultSchedule(steps);
        proxy.setSchedule(steps);
        const handler = pipeline.handler({
          client: faulty,
          table,
          strategy,
          deadLetter: { table: deadLetters },
          logger: memoryLogger(),
          // the default of a mapping made by hand: a failed batch is thrown, and retried from its first record
          failures: 'throw',
        });
        await drain(handler, sizes, again);
        proxy.heal();
        const at = `${strategy} sizes=${sizes} schedule=${schedule.describe()}`;
        expect(diffCells(await pipeline.canonical(table), expected), at).toEqual([]);
        expect(await scanTable(clients.ddb, deadLetters), at).toEqual([]);
      }),
      { numRuns: Number(process.env.DYNOTALLY_FAULT_RUNS ?? 6), seed: seedFromEnv(), endOnFailure: true },
    );
    expect(runs).toBeGreaterThan(0);
    // the schedules really hit requests (not only a clean run)
    const total = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
  });
});

function seedFromEnv(): number | undefined {
  const s = process.env.DYNOTALLY_FAULT_SEED;
  return s === undefined ? undefined : Number(s);
}

// The stream worker behind a faulty network: its DynamoDB and DynamoDB Streams clients (leases, checkpoints,
// GetRecords, row writes) all go through the fault proxy to DynamoDB Local's real stream. Replies of applied
// writes are lost, requests delayed, connections reset, requests throttled, on random schedules; once the
// faults stop and the worker has drained the stream, the aggregates equal the oracle and nothing was
// dead-lettered (retries are unbounded here, so a fault can only delay a record, never drop it).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { localClientConfig, localStreamsClientConfig } from '../../packages/dynotally/src/local/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker, type StreamWorkerOptions } from '../../packages/dynotally/src/worker/index.ts';
import { runWorkerUntilIdle } from '../../packages/dynotally/src/worker/run-until-idle.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { FaultSchedule, faultStepsArb } from '../support/fault-schedule.ts';
import { canonicalCells, diffCells } from '../support/pipeline.ts';
import { expectedCells, makeOps, quietLogger, tallies, writeOps } from '../worker/support.ts';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 480_000 });
const clients = testClients();
let proxy: FaultProxy;
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let source: string;
const ops = makeOps(23, 120, 30);
const expected = expectedCells(ops);

beforeAll(async () => {
  const endpoint = await ddbReady();
  proxy = await startFaultProxy({ target: endpoint });
  ddb = new DynamoDBClient(localClientConfig(proxy.endpoint));
  streams = new DynamoDBStreamsClient(localStreamsClientConfig(proxy.endpoint));
  source = uniqueTableName('fault-w-src');
  await createSourceTable(clients.ddb, source, { id: 'S' });
  await writeOps(clients.ddb, source, ops);
});

afterAll(async () => {
  ddb?.destroy();
  streams?.destroy();
  await proxy?.close();
  clients.destroy();
});

/** A worker whose every request goes through the fault proxy, retrying without end. */
function faultyWorker(
  aggregates: string,
  leases: string,
  more: Pick<StreamWorkerOptions, 'strategy' | 'deadLetter' | 'batchSize'>,
) {
  return createStreamWorker({
    client: ddb,
    streamsClient: streams,
    sourceTable: source,
    leaseTable: leases,
    table: aggregates,
    rollups: [tallies],
    logger: quietLogger(),
    leaseDurationMs: 3_000,
    heartbeatMs: 300,
    pollIntervalMs: 50,
    maxRetries: Number.POSITIVE_INFINITY,
    retryBaseMs: 20,
    retryMaxMs: 400,
    ...more,
  });
}

const scenarioArb = fc.record({
  strategy: fc.constantFrom<ExactlyOnceStrategy>('row-watermark', 'transaction'),
  batchSize: fc.integer({ min: 5, max: 80 }),
  steps: faultStepsArb({ maxAfter: 25, maxRequests: 10 }),
});

describe('fault tier: createStreamWorker on a real stream behind drops, delays, resets and throttling', () => {
  // A worker whose lease ran out while every request was throttled held no shard until its next coordination
  // cycle, yet reported itself idle (its shard count was from before), so a caller could stop it with records
  // unread: the property below lost counts that way about one run in three with one seed.
  it('is never idle while a shard it lost is not held again', async () => {
    const aggregates = uniqueTableName('fault-w-agg');
    const leases = uniqueTableName('fault-w-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);
    proxy.heal();
    const worker = faultyWorker(aggregates, leases, {});
    await worker.start();
    for (let i = 0; i < 2_400 && !worker.stats().idle; i++) await new Promise((r) => setTimeout(r, 50));
    expect(worker.stats().idle).toBe(true);
    // every request throttled: the lease cannot be renewed, the consumer stops, no cycle completes
    proxy.setSchedule([
      { after: 0, fault: { kind: 'throttle', error: 'ThrottlingException' }, requests: 1e9 },
    ]);
    let unheld = 0;
    let idleWhileUnheld = 0;
    for (let i = 0; i < 400 && unheld < 40; i++) {
      const s = worker.stats();
      if (s.leasesHeld === 0) {
        unheld += 1;
        if (s.idle) idleWhileUnheld += 1;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(unheld).toBeGreaterThan(0);
    expect(idleWhileUnheld).toBe(0);
    proxy.heal();
    await runWorkerUntilIdle(worker, { quietMs: 800, timeoutMs: 180_000 });
    expect(
      diffCells(canonicalCells([tallies.compiled], await scanTable(clients.ddb, aggregates)), expected),
    ).toEqual([]);
  });

  it('equals the oracle once the faults stop and the stream is drained, with nothing dead-lettered', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ strategy, batchSize, steps }) => {
        const aggregates = uniqueTableName('fault-w-agg');
        const leases = uniqueTableName('fault-w-lease');
        const deadLetters = uniqueTableName('fault-w-dl');
        await Promise.all([
          createAggregateTable(clients.ddb, aggregates),
          createLeaseTable(clients.ddb, leases),
          createDeadLetterTable(clients.ddb, deadLetters),
        ]);
        proxy.heal();
        const worker = faultyWorker(aggregates, leases, {
          strategy,
          deadLetter: { table: deadLetters },
          batchSize,
        });
        const at = `${strategy} batch=${batchSize} schedule=${new FaultSchedule(steps).describe()}`;
        // faults start once the worker runs (a start-up check that fails is a crash the operator restarts;
        // see the start-up test below); the schedule is over long before the worker can be idle (it polls),
        // so idle then means drained
        await worker.start();
        proxy.setSchedule(steps);
        const stats = await runWorkerUntilIdle(worker, { quietMs: 800, timeoutMs: 180_000 });
        proxy.heal();
        expect(stats.deadLettered, at).toBe(0);
        expect(
          diffCells(canonicalCells([tallies.compiled], await scanTable(clients.ddb, aggregates)), expected),
          at,
        ).toEqual([]);
        expect(await scanTable(clients.ddb, deadLetters), at).toEqual([]);
      }),
      {
        numRuns: Number(process.env.DYNOTALLY_FAULT_RUNS ?? 5),
        seed:
          process.env.DYNOTALLY_FAULT_SEED === undefined
            ? undefined
            : Number(process.env.DYNOTALLY_FAULT_SEED),
        endOnFailure: true,
      },
    );
    expect(Object.values(proxy.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

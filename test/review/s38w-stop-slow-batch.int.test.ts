// What: `stop()` (SIGINT/SIGTERM through installSignalHandlers) while a batch is in the write side. The worker stopped
// its heartbeat loop (lease renewals) first and only then waited for the consumers to finish their batches, so the
// lease ran out under a batch that took longer than what was left of the lease: the write side found `leaseHeld`
// false (LEASE_LOST), the batch was abandoned part way without a checkpoint, and the graceful stop did not "finish the
// batch in flight and checkpoint it" (docs/worker.md, Graceful shutdown). Exactly-once absorbed the redelivery, but
// `at-least-once` (whose mode switch the docs tell to do with `stop()`: "each finishes and checkpoints its batch")
// counted the rows the abandoned attempt reached twice, and every deploy re-read and re-applied a batch per shard.
// Expected: the leases are renewed until the last consumer has stopped; the batch in flight is applied, its checkpoint
// written, then the lease released.
// Severity: medium (a graceful stop behaved like a crash for any batch slower than the rest of its lease; double
// counts in at-least-once mode).
// Fixed: stream-worker.ts `doStop` stops the consumers before the heartbeat loop (the coordination loop, which takes
// leases, stops at once; the heartbeat renews the held leases until they are released).
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { readStreamRecords } from '../../packages/dynotally/src/streams/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import { SlowWriteSide } from '../support/slow-write-side.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  readLease,
  tallies,
  waitFor,
  workerTables,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s38w: stop() while a slow batch is in the write side', () => {
  it('keeps the lease renewed, applies the batch and checkpoints it before releasing', {
    timeout: 120_000,
  }, async () => {
    const { source, aggregates, leases, streamArn } = await workerTables(clients.ddb, 's38wstop');
    const ops = makeOps(3801, 40, 10);
    await writeOps(clients.ddb, source, ops);
    const real = new Applier({ client: clients.ddb, table: aggregates, rollups: [tallies] });
    // every call takes 4 s (longer than what is left of a 3 s lease), then applies what it was given, checking the fence
    const slow = new SlowWriteSide(real, 4_000);
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's38w-stop',
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 100,
      batchSize: 100,
      applier: slow,
    });
    try {
      await w.start();
      await waitFor('the batch in the write side', () => (slow.started ? true : undefined));
      await w.stop();
      expect(slow.outcome).toEqual({ ok: true });
      const shards = await readStreamRecords(clients.streams, streamArn);
      const last = shards.flatMap((s) => s.records).at(-1)?.dynamodb?.SequenceNumber;
      const lease = await readLease(clients.ddb, leases, streamArn, shards[0]?.shardId ?? '');
      expect(lease?.checkpoint?.S).toBe(last);
      expect(lease?.owner?.NULL).toBe(true); // released
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
    } finally {
      await w.stop();
    }
  });
});

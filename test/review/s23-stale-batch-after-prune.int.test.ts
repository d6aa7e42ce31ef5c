// Review s23 (stream worker, leases and shard lineage): a worker that has lost a parent shard's lease goes on writing
// the rest of its batch, row after row, for as long as the batch takes; nothing stops a batch between its row writes
// (ShardConsumer.markLost aborts the consumer's sleeps and the batch processor checks `aborted()` only between handler
// calls; the plain Applier has no lease fence, only the versioned write side's control-item read has one). Meanwhile
// the worker that took the parent over reads it to its end, its child becomes ready, and once pruneAncestorsAfterMs
// has passed the child's batches name the parent as finished: the parent's exactly-once state leaves every row they
// write. The stale worker's later row writes then meet rows without the parent's state and apply the parent's records
// a second time. The option's own reasoning ("the wait outlasts any write of a worker that lost an ancestor's lease
// while a request was in flight (its retries end well within it)") covers one request, not the requests a batch
// issues after the lease is gone: a batch of many rows under throttling (when renewals fail too, and DynamoDB splits
// the partitions that are hot) runs for many times one request's retries. Here every request takes 400 ms, far within
// the 1.5 s prune wait, and the batch about 8 s. With the default wait (15 minutes) it takes a batch longer than 15
// minutes: e.g. 1,000 records over 3,000 rows at the default concurrency (32), each row write throttled for 10 s
// (dynotally's 6 attempts of the SDK's 3) is about 94 waves of 10 s.
// Scenario: a simulated stream, parent P (30 orders, 10 groups, one hour) closed, its child C open; worker A
// (write one request a row, one at a time, each row write 400 ms) starts P's batch, and its lease-table requests stop
// getting through (a renewal throttled for good: its lease runs out); worker B takes P over, reads it, takes C; 1.5 s
// later 10 orders (one per group) arrive on C; A's batch goes on to its end.
// Observed: the groups whose rows A wrote after C's batch (5 of the 10) count P's orders twice: n = 7 (3 + 3 + 1)
// instead of 4 in their hour, day and all-time cells.
// Expected: P's 30 orders and C's 10 orders, each once.
// Suggested fix: stop a batch of a lost lease between its row writes: hand the applier an AbortSignal (or a
// `leaseValid()` check) that markLost and the lease's local expiry (minus LEASE_FENCE_MS) trip, checked before every
// row request it sends (a request already sent is what pruneAncestorsAfterMs covers); or time the prune wait from the
// moment the parent's lease was last renewed by anyone but its finisher plus the longest batch (a batch deadline).
// Severity: double count (a lease lost during a slow batch, a split, and a batch outlasting the prune wait: rare with
// the default wait).
// Fixed in session 23: the worker hands each batch `leaseHeld`, and the applier sends every request through a client
// that refuses (LEASE_LOST) once the lease is lost or within the fence of its end (`fencedClient`).
import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker, type StreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { SHARD_END } from '../../packages/dynotally/src/worker/lease.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import {
  actualCells,
  expectedCells,
  type Op,
  quietLogger,
  readLease,
  tallies,
  waitFor,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const t = { N: String(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 1_800_000) };
const order = (id: string, group: number): Op => ({
  kind: 'put',
  item: { id: { S: id }, g: { S: `g${group}` }, t, amount: { N: '1' } },
});

describe('s23: a worker that lost a parent shard writes the rest of its batch', () => {
  it('after the child pruned the parent state, its late rows change nothing', {
    timeout: 600_000,
  }, async () => {
    await ddbReady();
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    const P = 'shardId-P';
    const C = 'shardId-C';
    stream.addShard(P);
    const parentOps = Array.from({ length: 30 }, (_, i) => order(`p-${i}`, i % 10));
    for (const op of parentOps) stream.append(P, op);
    stream.close(P);
    stream.addShard(C, P);
    const aggregates = uniqueTableName('s23-prune-agg');
    const leases = uniqueTableName('s23-prune-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);

    // A: every row write takes 400 ms; from its first row on, its lease-table writes never get through
    let cut = false;
    let aWrites = 0;
    let end: () => void = () => {};
    const ended = new Promise<void>((r) => {
      end = r;
    });
    const aClient = heldClient(clients.ddb, async (command) => {
      const input = (command as { input?: { TableName?: string } }).input;
      if (command instanceof UpdateItemCommand && input?.TableName === aggregates) {
        cut = true;
        aWrites += 1;
        await new Promise((r) => setTimeout(r, 400));
        return;
      }
      if (cut && input?.TableName === leases && !(command instanceof ScanCommand)) {
        await ended;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
        });
      }
    });
    const make = (workerId: string, client = clients.ddb): StreamWorker =>
      createStreamWorker({
        client,
        streamsClient: stream.client(),
        streamArn: stream.arn,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        write: { api: 'update-item' },
        concurrency: 1,
        workerId,
        logger: quietLogger(),
        batchSize: 100,
        leaseDurationMs: 2_500,
        heartbeatMs: 400,
        pollIntervalMs: 100,
        pruneAncestorsAfterMs: 1_500,
      });
    const a = make('s23-prune-a', aClient);
    const b = make('s23-prune-b');
    const lease = (id: string) => readLease(clients.ddb, leases, stream.arn, id);
    try {
      await a.start();
      await waitFor('A writing P', () => (cut ? true : undefined), 120_000);
      await b.start();
      await waitFor(
        'B finished P and holds C',
        async () =>
          (await lease(P))?.checkpoint?.S === SHARD_END && (await lease(C))?.owner?.S === 's23-prune-b'
            ? true
            : undefined,
        120_000,
      );
      await new Promise((r) => setTimeout(r, 1_700)); // C's batches now name P as finished
      const childOps = Array.from({ length: 10 }, (_, g) => order(`c-${g}`, g));
      for (const op of childOps) stream.append(C, op);
      await waitFor(
        'B applied C',
        async () => ((await lease(C))?.checkpoint?.S === stream.lastSequence(C) ? true : undefined),
        120_000,
      );
      // A's batch stopped between its row writes once its lease was gone (LEASE_LOST): no row write of A since,
      // where it wrote one every 400 ms before, and it never finished
      const written = aWrites;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(aWrites).toBe(written);
      expect(a.stats().apply.records).toBe(0);
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells([...parentOps, ...childOps]));
    } finally {
      end();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

// Review s23 (stream worker, hand-over): with `startingPosition: 'LATEST'` a shard's lease says `startAt: 'LATEST'` until
// its first checkpoint, and every consumer that takes such a lease opens its iterator at LATEST (openIterator →
// iteratorOf(lease.startAt)). worker.md says so for a restart ("Until the first record is checkpointed, a restarted
// worker starts at LATEST again"), but the same happens without any restart, at every hand-over: when a second worker
// joins and the fair-share assignment moves a quiet shard to it, the first worker gives the lease up at its next
// coordination cycle (without a last GetRecords) and the newcomer opens LATEST one of its own cycles later. Every
// change written between the first worker's last poll and the newcomer's GetShardIterator (up to a heartbeat and a
// poll interval, and longer when the take is slow) is never read by anyone. The same holds for a take-over after a
// crash, and a shard can be handed over several times (scale-out, scale-in, deploys) before it sees its first record.
// The hand-over is documented as lossless ("hands over held shards of another live worker's share at a batch
// boundary"; "the next owner resumes at the checkpoint").
// Scenario: a simulated stream with one open shard holding 2 older changes; worker A (LATEST) holds it, reads nothing
// new; worker B (LATEST) joins and the shard is B's share; 2 orders are written while the lease is free (after A
// released it, before B's take goes out), 1 order after B has taken it.
// Observed: the aggregates count 1 order (the one written after B's take).
// Expected: 3 orders (the two older changes stay uncounted: LATEST).
// The same reopening happens without a hand-over when the shard's iterator expires before its first record
// (ExpiredIteratorException: 15 minutes without a successful GetRecords, e.g. a network partition or a paused
// process): openIterator has no position yet and goes back to `lease.startAt`, skipping what was written meanwhile.
// Scenario 2: one worker (LATEST) on that shard; 2 orders are written after its first poll, and its next poll finds
// the iterator expired; 1 order after that.
// Observed: 1 order counted. Expected: 3.
// Suggested fix: pin LATEST to a time the first time a consumer opens it: store `latestSince` (the take's clock, less a
// margin) on the lease with the take, and let every later opening without a checkpoint (hand-over, take-over, expired
// iterator, restart) read from TRIM_HORIZON and drop the records created before it (ApproximateCreationDateTime), or
// have the first owner checkpoint the shard's tip before it hands the lease back; and say in worker.md what is left.
// Severity: data loss (changes written in the window, on shards without a checkpoint yet).
// Fixed in session 23: the first consumer of a LATEST lease records `latestFrom` before GetShardIterator(LATEST) and,
// giving the lease up before any checkpoint, pins its position (a checkpoint after the last record before it, read from
// TRIM_HORIZON, or startAt TRIM_HORIZON for a shard that held nothing); a lease opened but never pinned (a crash) is
// read from TRIM_HORIZON by its next owner, skipping records created over a minute before `latestFrom`.
// Scenario 2 (added by the review after the fix was begun) passes the same way: an iterator that expired before the
// first record is reopened from TRIM_HORIZON with that filter (the test's history is five minutes old).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { assignShards } from '../../packages/dynotally/src/worker/assign-shards.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { latestWorkerFixture, latestOrder as order } from '../worker/latest-fixture.ts';
import { actualCells, expectedCells, waitFor } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const SHARD = 'shardId-1';
const A = 's23-first';
const B = 's23-joiner-0';

describe('s23: a LATEST shard handed over before its first record', () => {
  it('loses none of the changes written during the hand-over', { timeout: 600_000 }, async () => {
    expect(assignShards([SHARD], [A, B]).get(SHARD)).toBe(B);
    const {
      stream,
      aggregates,
      make,
      lease: leaseOf,
    } = await latestWorkerFixture(clients.ddb, 's23-hand', [SHARD]);
    for (const id of ['old-1', 'old-2']) stream.append(SHARD, order(id));

    // B's take waits until the orders of the hand-over window are written (the window made certain, not wider)
    let written: () => void = () => {};
    const windowWritten = new Promise<void>((r) => {
      written = r;
    });
    const bClient = heldClient(clients.ddb, async (command) => {
      if (command instanceof UpdateItemCommand && command.input.ConditionExpression?.includes(':seen'))
        await windowWritten;
    });
    const a = make(A);
    const b = make(B, { client: bClient });
    const lease = () => leaseOf(SHARD);
    try {
      await a.start();
      expect(a.stats().leasesHeld).toBe(1);
      await new Promise((r) => setTimeout(r, 300)); // A has opened LATEST and polled
      await b.start();
      await waitFor(
        'A released the shard',
        async () => ((await lease())?.owner?.NULL ? true : undefined),
        120_000,
      );
      const during = [order('during-1'), order('during-2')];
      for (const op of during) stream.append(SHARD, op);
      written();
      await waitFor(
        'B holds the shard',
        async () => ((await lease())?.owner?.S === B ? true : undefined),
        120_000,
      );
      await new Promise((r) => setTimeout(r, 300)); // B has opened its iterator
      const after = order('after-1');
      stream.append(SHARD, after);
      await waitFor(
        'B checkpointed the last order',
        async () => ((await lease())?.checkpoint?.S === stream.lastSequence(SHARD) ? true : undefined),
        120_000,
      );
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells([...during, after]));
    } finally {
      written();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
  // An iterator that expires before the shard's first record cannot be pinned (nothing tells where LATEST was): the
  // lease is read again from TRIM_HORIZON without the records created over a minute before latestFrom. The history
  // here is five minutes old; history from the last minute before the worker met the stream would be counted.
  it('loses none of the changes written while its iterator expired', { timeout: 600_000 }, async () => {
    const {
      stream,
      aggregates,
      make,
      lease: leaseOf,
    } = await latestWorkerFixture(clients.ddb, 's23-exp', [SHARD]);
    stream.expireSecondPoll = true; // every shard's second poll finds its iterator expired
    for (const id of ['old-1', 'old-2']) stream.append(SHARD, order(id), new Date(Date.now() - 300_000));
    // the orders of an outage: written after the first poll, found by a poll whose iterator has expired meanwhile
    const during = [order('during-1'), order('during-2')];
    const inner = stream.client();
    let polls = 0;
    const streams = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetRecordsCommand' && ++polls === 2)
          for (const op of during) stream.append(SHARD, op);
        return inner.send(command as never);
      },
    } as unknown as DynamoDBStreamsClient;
    const worker = make('s23-exp', { streamsClient: streams });
    const lease = () => leaseOf(SHARD);
    try {
      await worker.start();
      await waitFor('the expired iterator', () => (stream.expiredIterators > 0 ? true : undefined), 120_000);
      await new Promise((r) => setTimeout(r, 300)); // polled again
      const after = order('after-1');
      stream.append(SHARD, after);
      await waitFor(
        'the last order checkpointed',
        async () => ((await lease())?.checkpoint?.S === stream.lastSequence(SHARD) ? true : undefined),
        120_000,
      );
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells([...during, after]));
    } finally {
      await worker.stop();
    }
  });
});

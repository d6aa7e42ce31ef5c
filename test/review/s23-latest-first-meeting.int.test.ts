// Review s23 (stream worker, shard discovery): `startingPosition: 'LATEST'` is decided per worker from its own scan:
// discover() treats the stream as met for the first time when the scan before its DescribeStream found no lease
// (`first = leases.length === 0`), and gives every lease it creates `startAt: 'LATEST'` only then; otherwise a shard
// that has no lease yet is created with TRIM_HORIZON, as a child that appeared later. So when two workers start at
// once (a fleet deploy, two replicas), the second one's scan can land after the first created some leases and before it
// created the rest: the second worker creates the rest (its creates win the `attribute_not_exists` race, or simply
// come first) from TRIM_HORIZON, and shards that existed before either worker met the stream are read from their
// oldest record. The same happens when the first worker's discovery stops part way (a create throttled past its
// retries: start() rejects; a crash or a deploy's SIGKILL there) and the worker is started again: its scan now finds
// some leases. The history that LATEST was chosen to leave out (changes already counted by a backfill, or a stream
// that existed long before the rollup) is counted, differently per shard.
// Scenario: a simulated stream with three open root shards, each holding 3 orders written before any worker; worker A
// starts with LATEST, and its lease-table request creating the second shard's lease is slow (held until worker B,
// also LATEST, has created its leases); then 2 new orders go to each shard.
// Observed: the aggregates count the 6 new orders and the 6 older orders of two of the shards (the leases of shards
// 2 and 3 say startAt TRIM_HORIZON).
// Expected: only the 6 orders written after the workers met the stream (every lease of a shard that existed when the
// stream was first met starts at LATEST, whoever creates it).
// Suggested fix: decide "first meeting" from something every worker reads the same way: e.g. a stream item in the
// lease table (`stream|<arn>`, created with attribute_not_exists and the initial startingPosition and the shard ids
// listed at that moment, or the meeting time), and create LATEST leases for every shard that item lists (or that the
// stream lists without a parent lease and whose StartingSequenceNumber predates the meeting); children that appear
// later stay TRIM_HORIZON.
// Severity: double count (history counted on top of a backfill) / other (LATEST not honoured).
// Fixed in session 23: the first worker that finds no lease records a meeting item (`meeting|<stream ARN>`, created
// with attribute_not_exists: the starting position and the shards listed then); every worker creating a lease reads
// it, so a shard listed at the meeting starts at the meeting's position whoever creates its lease (stream-meeting.ts).
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { latestWorkerFixture, latestOrder as order } from '../worker/latest-fixture.ts';
import { actualCells, expectedCells, type Op, readLease, waitFor } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s23: two workers meet a stream at once with startingPosition LATEST', () => {
  it('count only the changes written after they met it', { timeout: 600_000 }, async () => {
    const shards = ['shardId-1', 'shardId-2', 'shardId-3'];
    const { stream, aggregates, leases, make } = await latestWorkerFixture(clients.ddb, 's23-latest', shards);
    for (const s of shards) for (const i of [1, 2, 3]) stream.append(s, order(`old-${s}-${i}`));

    // A's request creating shard 2's lease is slow: it goes out once B has created its leases.
    let bStarted: () => void = () => {};
    const bIsUp = new Promise<void>((r) => {
      bStarted = r;
    });
    let aWaits: () => void = () => {};
    const aIsWaiting = new Promise<void>((r) => {
      aWaits = r;
    });
    const slowA = heldClient(clients.ddb, async (command) => {
      if (command instanceof PutItemCommand && command.input.Item?.shardId?.S === 'shardId-2') {
        aWaits();
        await bIsUp;
      }
    });
    const a = make('s23-a', { client: slowA });
    const b = make('s23-b');
    try {
      const aStarted = a.start();
      await aIsWaiting;
      await b.start();
      bStarted();
      await aStarted;
      await waitFor(
        'every shard held',
        () => (a.stats().leasesHeld + b.stats().leasesHeld === 3 ? true : undefined),
        120_000,
      );
      await new Promise((r) => setTimeout(r, 500)); // every consumer has opened its iterator and polled
      const fresh: Op[] = [];
      for (const s of shards)
        for (const i of [1, 2]) {
          const op = order(`new-${s}-${i}`);
          fresh.push(op);
          stream.append(s, op);
        }
      await waitFor(
        'new orders checkpointed',
        async () => {
          for (const s of shards)
            if (
              (await readLease(clients.ddb, leases, stream.arn, s))?.checkpoint?.S !== stream.lastSequence(s)
            )
              return undefined;
          return true;
        },
        120_000,
      );
      const startAt = await Promise.all(
        shards.map(async (s) => (await readLease(clients.ddb, leases, stream.arn, s))?.startAt?.S),
      );
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(fresh));
      expect(startAt).toEqual(['LATEST', 'LATEST', 'LATEST']);
    } finally {
      bStarted();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

// Review s23 (stream worker, shard lineage): a shard whose lease is unfinished, whose own parent's lease is gone and
// which the stream no longer lists is never ready, and its children wait for it for ever. discover() deletes the
// lease of every finished shard the stream no longer lists and that is no listed shard's parent
// (`deleteFinished`), and shardReadiness answers 'parent-unknown' (describe again, never ready) for a shard whose
// parent has no lease and is not listed unless the shard itself is listed. After an outage of more than 24 hours
// (workers down over a weekend, or a fleet that fell that far behind), the lease table holds P (finished), its child
// C (closed, its lease created but never read) and C's child G (open). The stream has trimmed P and C (closed more
// than 24 hours ago: no longer listed, GetShardIterator answers ResourceNotFoundException) and lists G. The first
// coordination cycle deletes P's lease (finished, unlisted, parent of no listed shard: G's parent is C); from then on C
// is 'parent-unknown' (its parent has no lease and is not listed, and C is not listed either), so nobody takes C to
// find it gone and mark it SHARD_END, and G waits for C ('waiting-for-parent') for good: G's records, and those of
// every later shard of that lineage, are never counted, and are trimmed in turn 24 hours later. The worker rediscovers
// every heartbeat and never becomes idle; nothing is logged.
// Scenario: the lease table as the fleet left it (P finished, C and G created, free); the stream lists only G, with
// 3 orders; one worker starts.
// Observed: after several seconds G's 3 orders are not counted, G's lease has no checkpoint, C's lease is unfinished
// and P's lease deleted.
// Expected: C is taken, found gone (ResourceNotFoundException: the shard-consumer path that marks a trimmed shard
// finished) and checkpointed SHARD_END; G is read and its 3 orders counted.
// Suggested fix: in shardReadiness, a shard that is not listed and whose parent has neither a lease nor a listing is
// trimmed like its parent ('ready': the consumer finds it gone and finishes it), once the worker's description is
// newer than the lease (or: a described set that was taken after the lease's creation); or in discover(), keep a
// finished lease while any lease names it as parent (`parents` from the leases as well as the listed shards).
// Severity: blocked shard (for ever, with the loss of everything that lineage receives).
// Fixed in session 23, both ways: discover() keeps a finished lease while an unfinished lease names it as parent, and
// shardReadiness counts a parent with neither a lease nor a listing as finished whether the child is listed or not
// (a parent's lease is created before its child's, so such a parent was trimmed or read and deleted).
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { SHARD_END } from '../../packages/dynotally/src/worker/lease.ts';
import { LeaseStore } from '../../packages/dynotally/src/worker/lease-store.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import { actualCells, expectedCells, type Op, quietLogger, readLease, tallies } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const order = (id: string): Op => ({
  kind: 'put',
  item: { id: { S: id }, g: { S: 'g1' }, t: { N: String(Date.now() - 3_600_000) }, amount: { N: '1' } },
});

const P = 'shardId-P';
const C = 'shardId-C';
const G = 'shardId-G';

/** The fake stream's client, for a stream that has trimmed `gone`: unlisted, and ResourceNotFoundException to read. */
function trimmedClient(stream: FakeStream, gone: ReadonlySet<string>): DynamoDBStreamsClient {
  const inner = stream.client();
  const notFound = () =>
    Object.assign(new Error('Requested resource not found: Shard does not exist'), {
      name: 'ResourceNotFoundException',
    });
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    if (name === 'GetShardIteratorCommand' && gone.has(command.input.ShardId as string)) throw notFound();
    if (name === 'GetRecordsCommand') {
      const { shard } = JSON.parse(command.input.ShardIterator as string) as { shard: string };
      if (gone.has(shard)) throw notFound();
    }
    const out = (await inner.send(command as never)) as {
      StreamDescription?: { Shards?: Array<{ ShardId?: string }> };
    };
    if (name === 'DescribeStreamCommand' && out.StreamDescription?.Shards !== undefined)
      out.StreamDescription.Shards = out.StreamDescription.Shards.filter((s) => !gone.has(s.ShardId ?? ''));
    return out;
  };
  return { send } as unknown as DynamoDBStreamsClient;
}

describe('s23: a lineage whose unread middle shard the stream trimmed during an outage', () => {
  it('reads the listed child once the trimmed shards are found gone', { timeout: 600_000 }, async () => {
    await ddbReady();
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    stream.addShard(P);
    stream.append(P, order('p-1'));
    stream.close(P);
    stream.addShard(C, P);
    stream.append(C, order('c-1'));
    stream.close(C);
    stream.addShard(G, C);
    const fresh = [order('g-1'), order('g-2'), order('g-3')];
    for (const op of fresh) stream.append(G, op);
    const aggregates = uniqueTableName('s23-trim-agg');
    const leases = uniqueTableName('s23-trim-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);

    // The lease table as the fleet left it more than a day ago: P read to its end, C and G discovered, never read.
    const before = new LeaseStore(clients.ddb, leases, stream.arn, 'gone-worker', 3_000);
    await before.create({ shardId: P, startAt: 'TRIM_HORIZON' });
    await before.create({ shardId: C, parentShardId: P, startAt: 'TRIM_HORIZON' });
    await before.create({ shardId: G, parentShardId: C, startAt: 'TRIM_HORIZON' });
    const seen = (await before.scan()).leases.find((l) => l.shardId === P)!;
    expect(await before.take(seen)).toBeDefined();
    expect(await before.checkpoint(P, SHARD_END)).toBe(true);

    const logger = quietLogger();
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: trimmedClient(stream, new Set([P, C])),
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's23-trim',
      logger,
      leaseDurationMs: 3_000,
      heartbeatMs: 400,
      pollIntervalMs: 100,
    });
    try {
      await worker.start();
      const lease = (id: string) => readLease(clients.ddb, leases, stream.arn, id);
      await expect
        .poll(async () => (await lease(G))?.checkpoint?.S, { timeout: 120_000, interval: 200 })
        .toBe(stream.lastSequence(G));
      expect((await lease(C))?.checkpoint?.S).toBe(SHARD_END);
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(fresh));
      await expect.poll(() => worker.stats().idle, { timeout: 120_000, interval: 100 }).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});

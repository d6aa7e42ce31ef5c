// Review s25c (stream worker, 911fbc5): the listing refused shard consumers share (`shardListed`) is meant to cost one
// DescribeStream per 5 s per worker ("so many refused at once (a deleted table) share one listing"; DescribeStream
// allows about 10 requests a second per account, and discovery backs off when it fails). A listing that fails is not
// kept: "the next refusal describes again". Every refused consumer asks again after its one-second wait, so while
// DescribeStream fails (the stream deleted with its table, the very case the comment names, or DescribeStream
// throttled, where asking again keeps the throttling going) a worker with N refused shards sends about N listings a
// second (each of every page) for the whole of streamGoneAfterMs (5 minutes by default), with no backoff, beside its
// discovery, which does back off; a fleet of such workers spends the account's DescribeStream rate many times over.
// Scenario (fake stream, leases and aggregates on DynamoDB Local): 8 shards; once the worker has started, every
// GetShardIterator / GetRecords answers ResourceNotFoundException and so does DescribeStream (the stream deleted).
// Every call has 0-40 ms of latency. The DescribeStream calls made by shardListed are counted for 6 s.
// Observed: dozens of listings in 6 s (about one per shard per second).
// Expected (plain `it`): at most 2 listings (one per 5 s, a failed one kept as long as a successful one); the test
// allows one more per 5 s its timer fired late, and one to spare.
// Severity: DescribeStream hammered (throttling of the fleet's discovery) for up to streamGoneAfterMs.
// Fixed on rev-c: a failed listing is kept for its 5 s like a successful one (the consumers awaiting it wait and ask
// again). Break-check: dropping the failed listing again gives ~20 listings in the 6 s.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import { type Op, quietLogger, tallies } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const order = (id: string): Op => ({
  kind: 'put',
  item: { id: { S: id }, g: { S: 'g1' }, t: { N: String(Date.now() - 3_600_000) }, amount: { N: '1' } },
});
const notFound = () =>
  Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });

describe('s25c: refused consumers while DescribeStream fails', () => {
  it('share one listing per 5 s', { timeout: 300_000 }, async () => {
    await ddbReady();
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    for (let i = 0; i < 8; i++) {
      stream.addShard(`shardId-${i}`);
      stream.append(`shardId-${i}`, order(`o-${i}`));
    }
    const inner = stream.client();
    let deleted = false;
    let listings = 0;
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        // the first page of a listing asked by a refused consumer (called synchronously from shardListed)
        if (name === 'DescribeStreamCommand' && deleted && new Error().stack?.includes('shardListed'))
          listings++;
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        if (deleted) throw notFound();
        return inner.send(command as never);
      },
    } as unknown as DynamoDBStreamsClient;

    const aggregates = uniqueTableName('s25c-rate-agg');
    const leases = uniqueTableName('s25c-rate-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: client,
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's25c-rate',
      logger: quietLogger(),
      batchSize: 1,
      pollIntervalMs: 100,
    });
    try {
      await worker.start();
      await new Promise((r) => setTimeout(r, 1_000));
      expect(worker.stats().shards.length).toBe(8);
      deleted = true;
      const since = performance.now();
      await new Promise((r) => setTimeout(r, 6_000));
      const counted = listings;
      // one listing per 5 s of the time that really passed (a loaded machine's timer fires late), with one to spare:
      // 3 in 6 s, where a failed listing not kept gives about 20
      const allowed = 1 + Math.ceil((performance.now() - since) / 5_000);
      expect(counted).toBeGreaterThan(0);
      expect(counted).toBeLessThanOrEqual(allowed);
    } finally {
      await worker.stop();
    }
  });
});

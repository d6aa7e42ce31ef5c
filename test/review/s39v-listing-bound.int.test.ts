// Fixed (session 39, helper s39v): describeStreamShards sends each page through a `PageSender`
// (streams/describe-stream-shards.ts), and the running worker gives one that bounds the request
// (stream-worker.ts `describeBound`: boundedCall with readTimeoutMs), so the bound is per request as documented.
// Break-check: on main (the whole listing under one bound) the 21st record is never read (expected 20 to be 21).
// Review s39v (today's bound on the running worker's DescribeStream calls, 3b80e3a7). Severity: high (a shard's
// children, and any new shard, are never leased: once a parent is read to its end the stream's changes stop being
// counted, with the discovery failures as the only sign).
// What: `readTimeoutMs` (default 30 s) is documented as the bound of each DescribeStream call of a running worker,
// but stream-worker.ts gives one signal to the whole listing (`boundedCall(readTimeoutMs, …, describeStreamShards)`):
// every page of a stream with many shards (100 a page on AWS; a large table's stream holds thousands, closed ones
// included, for 24 h), each retried by the SDK when throttled (DescribeStream allows about 10 requests a second,
// shared by the fleet), must arrive within one `readTimeoutMs`. A listing that takes longer is given up every time:
// discovery fails for good and no new shard gets a lease.
// Scenario: a fake stream (two shards a page) of 20 shards, each page answered in 150 ms (honouring the abort, as the
// SDK does): a listing takes 1.5 s, a page far less than readTimeoutMs 1 s. The worker starts (the start's listing
// is not bounded), reads the 20 records; then a 21st shard with one record appears.
// Expected: the new shard is discovered and its record read (each page is within its bound).
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

describe('s39v: the running worker’s DescribeStream bound', () => {
  it('bounds each page, not the whole listing', { timeout: 240_000 }, async () => {
    await ddbReady();
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    for (let i = 0; i < 20; i++) {
      const id = `shardId-${String(i).padStart(2, '0')}`;
      stream.addShard(id);
      stream.append(id, order(`o-${i}`));
    }
    const inner = stream.client();
    const client = {
      send: (
        command: { constructor: { name: string }; input: Record<string, unknown> },
        options?: { abortSignal?: AbortSignal },
      ) =>
        new Promise((resolve, reject) => {
          const signal = options?.abortSignal;
          const aborted = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          if (signal?.aborted) return aborted();
          signal?.addEventListener('abort', aborted, { once: true });
          const slow = command.constructor.name === 'DescribeStreamCommand' ? 150 : 0;
          setTimeout(() => {
            inner.send(command as never).then(resolve, reject);
          }, slow);
        }),
    } as unknown as DynamoDBStreamsClient;

    const aggregates = uniqueTableName('s39v-list-agg');
    const leases = uniqueTableName('s39v-list-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: client,
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's39v-list',
      logger: quietLogger(),
      pollIntervalMs: 100,
      readTimeoutMs: 1_000,
      discoveryIntervalMs: 500,
    });
    try {
      await worker.start();
      await expect.poll(() => worker.stats().records, { timeout: 60_000, interval: 200 }).toBe(20);
      stream.addShard('shardId-20');
      stream.append('shardId-20', order('o-20'));
      await expect.poll(() => worker.stats().records, { timeout: 60_000, interval: 200 }).toBe(21);
    } finally {
      await worker.stop();
    }
  });
});

// Review s25c (stream worker, 911fbc5): a shard consumer refused with ResourceNotFoundException asks the worker's
// shared listing (`shardListed`, one DescribeStream per 5 s for all consumers) whether the stream still lists the
// shard, and finishes the shard (SHARD_END) at once when it does not. The cached listing may be older than the shard:
// a child created by a rollover or split a moment after another consumer's refusal filled the cache is "not listed"
// by it for up to 5 s, although the worker's own discovery listed it (that is how its lease was created). A fresh
// shard is exactly the one an endpoint's eventual consistency refuses (the case the commit guards against), so its
// first refusal within those 5 s marks it read to its end: every record of it, and everything written to it later, is
// never counted by any worker (its children are read next).
// Scenario (fake stream, leases and aggregates on DynamoDB Local): shard P, one order; P's first GetRecords is refused
// (the consumer asks the listing: P listed, cached). Right after that listing P closes and its child C appears with two
// orders. P is re-read and ended; discovery lists C, a lease is created and taken; C's first GetShardIterator is
// refused (a shard just created) while the cached listing, 1-2 s old, does not have C.
// Observed: C's lease is checkpointed SHARD_END, C's two orders are not counted.
// Expected (plain `it`): C is read after the refusal (a shard is taken as trimmed only by a listing newer than its
// consumer), its checkpoint is its last record and P's and C's orders are counted.
// Severity: data loss (a whole shard, on a rollover or split close to another shard's refusal).
// Fixed on rev-c: shardListed(shardId, since) answers "not listed" only from a listing taken at or after the consumer
// started (its lease existed, so a listing had the shard; an older cached one may only say "listed"); a wave of
// consumers refused together (shards trimmed in an outage) still shares one listing. Break-check: trusting the older
// listing fails this test.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
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

const order = (id: string): Op => ({
  kind: 'put',
  item: { id: { S: id }, g: { S: 'g1' }, t: { N: String(Date.now() - 3_600_000) }, amount: { N: '1' } },
});
const notFound = () =>
  Object.assign(new Error('Requested resource not found: Shard does not exist'), {
    name: 'ResourceNotFoundException',
  });

const P = 'shardId-P';
const C = 'shardId-C';

describe('s25c: a shard created after the cached listing', () => {
  it('is read after its first refusal, not taken as trimmed', { timeout: 300_000 }, async () => {
    await ddbReady();
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    stream.addShard(P);
    const p1 = order('p-1');
    stream.append(P, p1);
    const childOrders = [order('c-1'), order('c-2')];
    const inner = stream.client();
    let pRefused = false;
    let childAdded = false;
    let cRefused = false;
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        if (name === 'GetRecordsCommand' && !pRefused) {
          const { shard } = JSON.parse(command.input.ShardIterator as string) as { shard: string };
          if (shard === P) {
            pRefused = true;
            throw notFound();
          }
        }
        if (name === 'GetShardIteratorCommand' && command.input.ShardId === C && !cRefused) {
          cRefused = true; // a shard just created: the endpoint does not know it yet
          throw notFound();
        }
        const out = await inner.send(command as never);
        if (name === 'DescribeStreamCommand' && pRefused && !childAdded) {
          // the listing the refused consumer asked for is taken; right after it, P rolls over into C
          childAdded = true;
          stream.close(P);
          stream.addShard(C, P);
          for (const op of childOrders) stream.append(C, op);
        }
        return out;
      },
    } as unknown as DynamoDBStreamsClient;

    const aggregates = uniqueTableName('s25c-stale-agg');
    const leases = uniqueTableName('s25c-stale-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: client,
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's25c-stale',
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 400,
      pollIntervalMs: 100,
    });
    try {
      await worker.start();
      const lease = (id: string) => readLease(clients.ddb, leases, stream.arn, id);
      const checkpoint = await waitFor('C checkpointed', async () => (await lease(C))?.checkpoint?.S, 60_000);
      expect(cRefused).toBe(true);
      // C is open: its checkpoint is its last record, never SHARD_END
      expect(checkpoint).toBe(stream.lastSequence(C));
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells([p1, ...childOrders]));
    } finally {
      await worker.stop();
    }
  });
});

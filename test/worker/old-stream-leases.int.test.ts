// Leases of a stream the workers have left stayed in the lease table for good: discovery deletes a finished lease only
// on the stream it reads (once DynamoDB Streams stops listing the shard), and a stream read to its end and followed to
// the table's next one is read by nobody. A lease table that outlives many re-enables (or a crashed worker's presence
// on such a stream) gathered them for good, and every start's scan of the table's older streams read them all.
// Now the lease table has time to live on `ttl`: a finished lease is stamped to go 7 days after it finished (long
// after the stream stops listing its shard, so no discovery creates it again), a presence a day after it expires; a
// live lease never. Checked on DynamoDB Local (TTL enabled on the table, the stamps), and that a worker started after
// the old stream's leases are gone goes on where the new stream's leases say, counting nothing twice.
import { DeleteItemCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { FINISHED_LEASE_TTL_MS } from '../../packages/dynotally/src/worker/lease-params.ts';
import { PRESENCE_TTL_AFTER_MS } from '../../packages/dynotally/src/worker/presence-params.ts';
import { amountOrder, followingWorker, reenableStream, sourceTables } from '../review/s23-source-table.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { keepTimeToLive } from '../support/ttl-off.ts';
import { actualCells, expectedCells, waitFor, writeOps } from './support.ts';

keepTimeToLive();
const clients = testClients();
afterAll(() => clients.destroy());

const a = amountOrder('a', 1);
const b = amountOrder('b', 10);
const c = amountOrder('c', 100);

const counted = (aggregates: string, ops: Parameters<typeof expectedCells>[0]) =>
  expect
    .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 200 })
    .toEqual(expectedCells(ops));

describe("an old stream's leases", () => {
  it('go with the lease table TTL once read to their end; live leases never; a worker after them counts nothing twice', {
    timeout: 300_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'old-leases');
    const ttl = (await clients.ddb.send(new DescribeTimeToLiveCommand({ TableName: tables.leases })))
      .TimeToLiveDescription;
    expect(ttl).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });

    const w1 = followingWorker(clients, tables, 'old-leases-1');
    let first: string | undefined;
    let latest: string | undefined;
    try {
      await w1.start();
      first = w1.stats().streamArn;
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates, [a]);
      await reenableStream(clients.ddb, tables.source);
      latest = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn;
      await writeOps(clients.ddb, tables.source, [b]);
      await counted(tables.aggregates, [a, b]);
      await waitFor('the worker on the new stream', () =>
        w1.stats().streamArn === latest ? true : undefined,
      );
      const now = Date.now();
      const items = await scanTable(clients.ddb, tables.leases);
      const shards = (arn: string | undefined) =>
        items.filter((i) => i.kind?.S === 'shard' && i.stream?.S === arn);
      const old = shards(first);
      expect(old.length).toBeGreaterThan(0);
      for (const lease of old) {
        expect(lease.checkpoint?.S).toBe('SHARD_END');
        const at = Number(lease.ttl?.N) * 1000;
        expect(at).toBeGreaterThan(now + FINISHED_LEASE_TTL_MS - 120_000);
        expect(at).toBeLessThanOrEqual(now + FINISHED_LEASE_TTL_MS);
      }
      const live = shards(latest);
      expect(live.length).toBeGreaterThan(0);
      for (const lease of live) expect(lease.ttl).toBeUndefined(); // an open shard's lease never expires
      const presence = items.find((i) => i.kind?.S === 'worker' && i.stream?.S === latest);
      expect(Number(presence?.ttl?.N) * 1000).toBeGreaterThan(now + PRESENCE_TTL_AFTER_MS);
    } finally {
      await w1.stop();
    }

    // seven days on, as far as the old stream's leases go: the TTL has deleted them (done here by hand: DynamoDB
    // Local's own sweep takes from seconds to minutes under load)
    for (const lease of (await scanTable(clients.ddb, tables.leases)).filter((i) => i.stream?.S === first))
      await clients.ddb.send(
        new DeleteItemCommand({ TableName: tables.leases, Key: { pk: lease.pk as { S: string } } }),
      );

    // a worker started now goes on on the new stream from its checkpoints: c counted, a and b not again
    await writeOps(clients.ddb, tables.source, [c]);
    const w2 = followingWorker(clients, tables, 'old-leases-2');
    try {
      await w2.start();
      expect(w2.stats().streamArn).toBe(latest);
      await counted(tables.aggregates, [a, b, c]);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await actualCells(clients.ddb, tables.aggregates)).toEqual(expectedCells([a, b, c]));
    } finally {
      await w2.stop();
    }
  });
});

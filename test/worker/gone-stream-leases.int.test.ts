// The unfinished leases of a stream nobody reads any more (disabled and enabled again with no worker following it, a
// `streamArn` given once, a table deleted) never got a TTL: only a finished lease is stamped, and discovery deletes
// leases only on the stream it reads. Now a running worker sweeps the lease table once an hour: the leases of a stream
// in its region and account that DynamoDB Streams no longer has (DescribeStream: ResourceNotFoundException), left
// alone for an hour, get the finished leases' 7 days; a live stream's leases, a stream of another region (which this
// client cannot judge), a lease touched within the hour and a lease stamped already are left as they are, and a take
// removes the stamp again.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createSourceTable, describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { GONE_STREAM_IDLE_MS } from '../../packages/dynotally/src/worker/gone-stream-leases.ts';
import { SHARD_END } from '../../packages/dynotally/src/worker/lease.ts';
import {
  createLeaseParams,
  FINISHED_LEASE_TTL_MS,
} from '../../packages/dynotally/src/worker/lease-params.ts';
import { LeaseStore } from '../../packages/dynotally/src/worker/lease-store.ts';
import { followingWorker, sourceTables } from '../review/s23-source-table.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { readLease, waitFor } from './support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('leases of a stream DynamoDB Streams no longer has', () => {
  it('get a TTL from a running worker once left alone for an hour; live and foreign streams keep theirs', {
    timeout: 180_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'gone-lease');
    const otherTable = uniqueTableName('gone-lease-live');
    const live = await createSourceTable(clients.ddb, otherTable, { id: 'S' });
    const current = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    // a stream of a table that does not exist (deleted), in this region and account, and one in another region
    const gone = live.replace(`table/${otherTable}/`, `table/${uniqueTableName('gone-lease-deleted')}/`);
    const parts = gone.split(':');
    const foreign = [...parts.slice(0, 3), 'elsewhere-1', ...parts.slice(4)].join(':');

    const now = Date.now();
    const long = now - 2 * GONE_STREAM_IDLE_MS; // left alone for two hours
    const seed = (streamArn: string, shardId: string, at: number, checkpoint?: string) =>
      clients.ddb.send(
        new PutItemCommand(
          createLeaseParams(
            tables.leases,
            {
              streamArn,
              shardId,
              startAt: 'TRIM_HORIZON',
              ...(checkpoint === undefined ? {} : { checkpoint }),
            },
            at,
          ),
        ),
      );
    await seed(gone, 'g-read-part-way', long, '000000000000000000001');
    await seed(gone, 'g-never-read', long);
    await seed(gone, 'g-touched-lately', now);
    await seed(gone, 'g-finished', long, SHARD_END);
    await seed(foreign, 'f-1', long);
    await seed(live, 'l-1', long);
    const ttlOf = async (arn: string, shardId: string) =>
      (await readLease(clients.ddb, tables.leases, arn, shardId))?.ttl?.N;
    const finishedTtl = await ttlOf(gone, 'g-finished');

    const w = followingWorker(clients, tables, 'gone-lease-1');
    try {
      await w.start();
      await waitFor('the gone stream stamped', async () =>
        (await ttlOf(gone, 'g-never-read')) === undefined ? undefined : true,
      );
      await waitFor('the gone stream stamped', async () =>
        (await ttlOf(gone, 'g-read-part-way')) === undefined ? undefined : true,
      );
    } finally {
      await w.stop();
    }
    const stampedAt = Number(await ttlOf(gone, 'g-never-read')) * 1000;
    expect(stampedAt).toBeGreaterThan(now + FINISHED_LEASE_TTL_MS - 120_000);
    expect(stampedAt).toBeLessThanOrEqual(Date.now() + FINISHED_LEASE_TTL_MS);
    expect(await ttlOf(gone, 'g-touched-lately')).toBeUndefined(); // maybe still read: asked again in an hour
    expect(await ttlOf(gone, 'g-finished')).toBe(finishedTtl); // its own, from when it finished
    expect(await ttlOf(foreign, 'f-1')).toBeUndefined(); // another region: this client cannot tell it gone
    expect(await ttlOf(live, 'l-1')).toBeUndefined(); // DynamoDB Streams still has it
    const own = (await new LeaseStore(clients.ddb, tables.leases, current, 'gone-lease-x', 3_000).scan())
      .leases;
    expect(own.length).toBeGreaterThan(0);
    for (const lease of own) expect(await ttlOf(current, lease.shardId)).toBeUndefined(); // the stream it reads

    // a worker that takes such a lease after all (the stream was not gone) removes the stamp
    const store = new LeaseStore(clients.ddb, tables.leases, gone, 'gone-lease-2', 3_000);
    const seen = (await store.scan()).leases.find((l) => l.shardId === 'g-never-read');
    expect(seen).toBeDefined();
    expect(await store.take(seen as NonNullable<typeof seen>)).toBeDefined();
    expect(await ttlOf(gone, 'g-never-read')).toBeUndefined();
  });
});

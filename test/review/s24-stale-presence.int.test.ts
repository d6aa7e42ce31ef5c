// Session 24 (noticed in session 23, stream worker, presence items): a worker deletes its presence item on a clean
// stop; a worker that crashed (killed by a deploy, out of memory) left its item for good, and every lease scan of every
// worker read it from then on. Harmless one at a time, a lease table that serves years of deploys gathers thousands.
// Fixed in session 24: each coordination cycle deletes up to ten presence items expired more than an hour ago, each
// only while its `expiresAt` is still the one scanned (a worker back meanwhile keeps its own).
// Break-check: with the cycle's removal left out, the crashed worker's item stays and the test times out.
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { workerKey } from '../../packages/dynotally/src/worker/lease.ts';
import { presenceParams } from '../../packages/dynotally/src/worker/presence-params.ts';
import { testClients } from '../support/ddb.ts';
import { waitFor } from '../worker/support.ts';
import { followingWorker, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s24: presence items of crashed workers', () => {
  it('are deleted once expired for over an hour; recent ones stay', { timeout: 600_000 }, async () => {
    const tables = await sourceTables(clients.ddb, 's24-presence');
    const streamArn = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    const now = Date.now();
    // expired three hours ago, and one minute ago (a worker that may yet come back, or whose clock is behind)
    const put = (workerId: string, announcedAt: number) =>
      clients.ddb.send(
        new PutItemCommand(presenceParams(tables.leases, streamArn, workerId, announcedAt, 10_000)),
      );
    await put('crashed', now - 3 * 3_600_000);
    await put('recent', now - 70_000);
    const present = async (workerId: string) =>
      (
        await clients.ddb.send(
          new GetItemCommand({
            TableName: tables.leases,
            Key: { pk: { S: workerKey(streamArn, workerId) } },
            ConsistentRead: true,
          }),
        )
      ).Item !== undefined;
    const w = followingWorker(clients, tables, 's24-presence', { discoveryIntervalMs: 30_000 });
    try {
      await w.start();
      await waitFor(
        'the crashed worker presence removed',
        async () => ((await present('crashed')) ? undefined : true),
        120_000,
      );
      expect(await present('recent')).toBe(true);
      expect(await present('s24-presence')).toBe(true);
    } finally {
      await w.stop();
    }
  });
});

// With `waitReplicas`, the first claim of a table waits until the replicas hold the buffer's id before the table
// names it. Before, the id was written to the primary and recorded in the table at once: a failover right after, to
// a replica that had not received the id, left the table naming an id no Redis held, and every applier and flusher
// on the promoted Redis was refused (`CONFIG_INVALID`, "a Redis that lost its data") until an operator handed the
// table over, although nothing had been counted yet. Now the claim fails with `REDIS_NOT_REPLICATED`, the table
// unclaimed, and after the failover the promoted Redis claims it and counts.
// Break-checked: without the wait in claimTableBuffer, the first claim resolves, and the failed batch leaves the owner
// item naming the primary's id (both tests fail).
import { describe, expect, it, vi } from 'vitest';
import {
  BUFFER_OWNER_KEY,
  claimTableBuffer,
  createBufferedApplier,
  createFlusher,
} from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from './harness.ts';
import { type LinkedReplica, linkedReplica } from './linked-replica.ts';
import { orderRecords, storeOrders } from './store-orders.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 11, 6, 12, 1, 0);
const QUARTER = 15 * 60_000;
const WAIT = { min: 1, timeoutMs: 300 };

async function partitioned(name: string) {
  const { table, clock, common } = await env.fixture(name, [orders], START);
  const replica: LinkedReplica = await linkedReplica(env.server.port);
  replica.cut(); // a partition before anything of the buffer was written: the primary keeps serving
  const ownerItem = async () =>
    (await scanItems(env.ddb, table)).find((i) => i.pk?.S === BUFFER_OWNER_KEY.pk?.S);
  const allRow = async () => (await scanItems(env.ddb, table)).find((i) => i.sk?.S === 'ALL');
  return { table, clock, common, replica, ownerItem, allRow };
}

describe('the first claim of a table waits for the replicas to hold the buffer id', () => {
  it('a claim the replicas cannot confirm leaves the table unclaimed', async () => {
    const { table, common, replica, ownerItem } = await partitioned('cwr-claim');
    try {
      const claim = { client: env.ddb, table, redis: env.redis, prefix: common.keyPrefix };
      await expect(claimTableBuffer({ ...claim, waitReplicas: WAIT })).rejects.toMatchObject({
        code: 'REDIS_NOT_REPLICATED',
      });
      expect(await ownerItem()).toBeUndefined();
      // without waitReplicas the claim is made on the primary alone, as before
      const id = await claimTableBuffer(claim);
      expect((await ownerItem())?.id?.S).toBe(id);
    } finally {
      await replica.stop();
    }
  });

  it('after a failover right after a refused first batch, the promoted Redis claims the table and counts', async () => {
    const { clock, common, replica, ownerItem, allRow } = await partitioned('cwr-fail');
    try {
      const options = { ...common, bucketMs: QUARTER, waitReplicas: WAIT };
      const rec = orderRecords(1000);
      await expect(
        createBufferedApplier(options).apply({ records: [rec('s-1', START)], shardId: 'shard-1' }),
      ).rejects.toMatchObject({ code: 'REDIS_NOT_REPLICATED' });
      expect(await ownerItem()).toBeUndefined();
      // the failover: the replica, which received nothing, is promoted; the stream retries the batch there
      await replica.client.replicaof('NO', 'ONE');
      const promoted = { ...options, redis: replica.client, waitReplicas: undefined };
      await createBufferedApplier(promoted).apply({ records: [rec('s-1', START)], shardId: 'shard-1' });
      clock.advance(QUARTER);
      expect((await createFlusher(promoted).flushClosed()).rowsWritten).toBe(1);
      expect({ owner: (await ownerItem())?.id?.S, n: (await allRow())?.n?.N }).toEqual({
        owner: await replica.client.get(`${common.keyPrefix}id`),
        n: '1',
      });
    } finally {
      await replica.stop();
    }
  });
});

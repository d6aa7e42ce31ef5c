// Review s41r (Redis buffer, the table's claim and the eviction-policy check): `TableBufferCheck.ensure` claimed the
// aggregate table for the buffer (`claimTableBuffer`: the buffer's id written in Redis, the table's owner item naming
// the key prefix and id) before it read the eviction policy. An applier refused for an evicting Redis had made that
// Redis the table's buffer all the same: the right Redis (noeviction, the same prefix) was then refused as "another
// Redis server" until `dynotally buffer forget` (releaseTableBuffer), and another key prefix as "another buffer".
// Observed (before the fix): the batch is refused with CONFIG_INVALID (evicting), yet the table names the buffer's
// prefix and the evicting server's id; the applier on a good Redis is refused.
// Expected: the policy is read before anything is claimed; a refused Redis leaves the table unclaimed.
// Fixed (session 41, redis/buffer-owner.ts: `claimTableBuffer` takes `beforeClaim`, which TableBufferCheck sets to
// the policy check).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, describeTableBuffer } from '../../packages/dynotally/src/redis/index.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const codeOf = (e: unknown): string => (isDynotallyError(e) ? e.code : String(e));

let evictingServer: LocalRedisServer;
let evicting: Redis;
beforeAll(async () => {
  evictingServer = await startRedisServer();
  evicting = new Redis(evictingServer.url);
  await evicting.config('SET', 'maxmemory', String(256 * 1024 * 1024));
  await evicting.config('SET', 'maxmemory-policy', 'allkeys-lru');
});
afterAll(async () => {
  evicting?.disconnect();
  await evictingServer?.stop();
});

describe('Redis buffer: an evicting Redis refused before the table is claimed (review s41r)', () => {
  it('leaves the table unclaimed, so the right Redis takes it', async () => {
    const { table, common } = await env.fixture('s41r-evclaim', [orders], START);
    const batch = { records: [orderRecords(1000)('s-1', START)], shardId: 's-1' };
    const refused = await createBufferedApplier({ ...common, redis: evicting })
      .apply(batch)
      .then(
        () => 'applied',
        (e: unknown) => codeOf(e),
      );
    const owner = await describeTableBuffer({ client: env.ddb, table });
    const good = await createBufferedApplier(common)
      .apply(batch)
      .then(
        () => 'applied',
        (e: unknown) => codeOf(e),
      );
    // observed: owner { prefix, id, claimedAt } (the evicting server's id), good 'CONFIG_INVALID' (another server)
    expect({ refused, owner, good }).toEqual({ refused: 'CONFIG_INVALID', owner: {}, good: 'applied' });
  });
});

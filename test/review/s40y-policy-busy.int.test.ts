// Review s40y (the eviction check of review s40r, redis/eviction-policy.ts): `checkEvictionPolicy` took any error
// reply to `INFO` for "this Redis cannot be told" (INFO renamed, or forbidden by an ACL) and passed, and the applier
// (the worker at start) then kept that pass for good. But a Redis running a script past `busy-reply-threshold`
// (5 s by default: a long flush script, an operator's EVAL) answers every command with `-BUSY`, a reply error too,
// and so does one loading its data set (`-LOADING`) or a replica cut off from its primary (`-MASTERDOWN`): a
// momentary state. An applier whose check met one buffered on an evicting Redis with no check again.
// Observed (before the fix): with `maxmemory 1gb` and `volatile-lru`, a check made while a script is busy resolves
// (passed): 'passed'.
// Expected: a reply that says Redis is busy for now is `REDIS_UNAVAILABLE` (the batch is retried, and the check with
// it), never a pass.
// Fixed (session 40, redis/eviction-policy.ts): an error reply still passes (INFO renamed, disabled, or forbidden:
// NOPERM), except BUSY, LOADING, MASTERDOWN, TRYAGAIN and CLUSTERDOWN, which stay REDIS_UNAVAILABLE.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { checkEvictionPolicy } from '../../packages/dynotally/src/redis/index.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let server: LocalRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('review s40y: the eviction check during a busy script', () => {
  it('is REDIS_UNAVAILABLE, not a pass, while Redis answers BUSY', async () => {
    const admin = new Redis(server.url);
    const busy = new Redis(server.url);
    const app = new Redis(server.url);
    try {
      await admin.config('SET', 'maxmemory', '1gb');
      await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
      await admin.config('SET', 'busy-reply-threshold', '100');
      const running = busy
        .eval("local s = redis.call('TIME')[1] while redis.call('TIME')[1] - s < 2 do end return 1", 0)
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 400));
      const outcome = await checkEvictionPolicy(app, 2_000).then(
        () => 'passed',
        (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
      );
      await running;
      const after = await checkEvictionPolicy(app, 2_000).then(
        () => 'passed',
        (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
      );
      // observed: { outcome: 'passed', after: 'CONFIG_INVALID' }
      expect({ outcome, after }).toEqual({ outcome: 'REDIS_UNAVAILABLE', after: 'CONFIG_INVALID' });
    } finally {
      admin.disconnect();
      busy.disconnect();
      app.disconnect();
    }
  });

  it('still passes a Redis whose ACL forbids INFO (NOPERM): it cannot be told', async () => {
    const admin = new Redis(server.url);
    await admin.config('SET', 'maxmemory', '0');
    await admin.acl('SETUSER', 's40y', 'on', '>pw', '~*', '&*', '+@all', '-info');
    const url = new URL(server.url);
    url.username = 's40y';
    url.password = 'pw';
    const app = new Redis(url.toString());
    try {
      expect(await checkEvictionPolicy(app, 2_000)).toBeUndefined();
    } finally {
      app.disconnect();
      await admin.acl('DELUSER', 's40y');
      admin.disconnect();
    }
  });
});

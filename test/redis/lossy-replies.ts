// A Redis client that loses script replies: the server ran the script, the caller sees a failure (an in-doubt write).
import type { Redis } from 'ioredis';

/**
 * Wraps `redis` so that the next `n` script replies (`eval` / `evalsha`) are lost after the server ran the scripts:
 * the caller gets `Connection is closed.`. A write script's read-only request for stored values of wide cells
 * (`['stored', …]`) is let through: the reply lost is the one of the script that writes the batch.
 *
 * @example
 * ```ts
 * const lossy = lossyReplies(env.redis);
 * const applier = createBufferedApplier({ ...common, redis: lossy.client, onRedisDown: 'direct' });
 * lossy.loseNext(); // the next batch is in Redis, and written directly too
 * ```
 */
export function lossyReplies(redis: Redis): { client: Redis; loseNext(n?: number): void } {
  let lose = 0;
  const client = new Proxy(redis, {
    get(target, prop, receiver) {
      if (prop === 'evalsha' || prop === 'eval') {
        const run = Reflect.get(target, prop, receiver) as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          const out = await run.apply(target, args);
          if (lose > 0 && !(Array.isArray(out) && out[0] === 'stored')) {
            lose--;
            throw new Error('Connection is closed.');
          }
          return out;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    client,
    loseNext: (n = 1) => {
      lose = n;
    },
  };
}

// A Redis client that loses script replies: the server ran the script, the caller sees a failure (an in-doubt write).
import type { Redis } from 'ioredis';
import { HINTS_SCRIPT } from '../../packages/dynotally/src/redis/scripts.ts';

/**
 * Wraps `redis` so that the next `n` script replies (`eval` / `evalsha`) are lost after the server ran the scripts:
 * the caller gets `Connection is closed.`. A write script's read-only requests for stored values of wide cells
 * (`['stored', …]`) or for the stored rows of groups whose hints are not known (`['unknown', …]`), and the recording
 * of those groups' hints, are let through: the reply lost is the one of the script that writes the batch.
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
          const hints = args[0] === HINTS_SCRIPT.sha || args[0] === HINTS_SCRIPT.source;
          if (lose > 0 && !hints && !(Array.isArray(out) && (out[0] === 'stored' || out[0] === 'unknown'))) {
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

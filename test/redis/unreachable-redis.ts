// A Redis client that is never connected: every command fails at once, as when Redis is unreachable.
import { Redis } from 'ioredis';

/**
 * A client of `url` that never connects (lazy, no offline queue, no retries): commands fail at once. Disconnect it
 * at the end of the test.
 *
 * @example
 * ```ts
 * const down = unreachableRedis(env.server.url);
 * const applier = createBufferedApplier({ ...common, redis: down, onRedisDown: 'direct' });
 * ```
 */
export function unreachableRedis(url: string): Redis {
  const down = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  down.on('error', () => {});
  return down;
}

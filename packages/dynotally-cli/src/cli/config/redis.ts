import { DynotallyError } from 'dynotally';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * A `--redis` flag: a `redis://` or `rediss://` URL.
 *
 * @example
 * ```ts
 * redisUrlFlag.parse('redis://127.0.0.1:6379'); // 'redis://127.0.0.1:6379'
 * ```
 */
export const redisUrlFlag = z
  .string({ message: 'expected a Redis URL such as redis://127.0.0.1:6379 (or set DYNOTALLY_REDIS_URL)' })
  .regex(/^rediss?:\/\/\S+$/, 'expected a Redis URL such as redis://127.0.0.1:6379 or rediss://host:6380');

/** What {@link loadRedisBuffer} loads: the ioredis client class and dynotally's Redis buffer module. */
export interface RedisBufferModules {
  Redis: typeof import('ioredis').Redis;
  buffer: typeof import('dynotally/redis');
}

/**
 * Loads ioredis and `dynotally/redis` on demand (the CLI runs without them until a command needs Redis).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the package to install when ioredis is missing.
 * @example
 * ```ts
 * const { Redis, buffer } = await loadRedisBuffer('dynotally flush');
 * ```
 */
export async function loadRedisBuffer(command: string): Promise<RedisBufferModules> {
  try {
    const [{ Redis }, buffer] = await Promise.all([import('ioredis'), import('dynotally/redis')]);
    return { Redis, buffer };
  } catch (e) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${command} needs the ioredis package: run 'npm install ioredis'`,
      {
        cause: e,
      },
    );
  }
}

/**
 * Connects to Redis and pings it, or fails in one line naming the URL. A long-running command (`persistent`)
 * keeps ioredis's reconnects; a one-shot command gives up at once rather than wait for Redis to come back.
 *
 * @throws {DynotallyError} `REDIS_UNAVAILABLE` with the URL and the fix.
 * @example
 * ```ts
 * const redis = await connectRedis(Redis, 'redis://127.0.0.1:6379', { persistent: true });
 * ```
 */
export async function connectRedis(
  RedisClass: RedisBufferModules['Redis'],
  url: string,
  options: { persistent: boolean },
): Promise<Redis> {
  const redis = new RedisClass(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: options.persistent ? 3 : 1,
    ...(options.persistent ? {} : { retryStrategy: () => null }),
  });
  let last: unknown;
  redis.on('error', (e) => {
    last = e;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new DynotallyError(
      'REDIS_UNAVAILABLE',
      `cannot reach Redis at ${url} (${(last as Error | undefined)?.message ?? (e as Error).message}): start it, or fix --redis / DYNOTALLY_REDIS_URL`,
      { cause: e, details: { redis: url } },
    );
  }
  return redis;
}

/**
 * How long the CLI and the dev stack's dashboard wait for one Redis read of the buffer (the library's default is
 * 2 s): on a loaded laptop or CI machine a slow read should make a late answer, not a `REDIS_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * createRedisLiveSource({ redis, rollups, redisTimeoutMs: LOCAL_REDIS_READ_TIMEOUT_MS });
 * ```
 */
export const LOCAL_REDIS_READ_TIMEOUT_MS = 10_000;

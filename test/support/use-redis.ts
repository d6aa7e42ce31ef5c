// One redis-server and one client per describe block (or file): started before its tests, stopped after them.
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type LocalRedisServer, startRedisServer } from './redis-server.ts';

/**
 * Registers `beforeAll` / `afterAll` hooks in the current block that start a redis-server on a free port with a
 * client of it, and disconnect and stop them; returns a getter of the client (call it inside tests).
 *
 * @example
 * ```ts
 * describe('dadd', () => {
 *   const redis = useRedis();
 *   it('adds', async () => expect(await ADD.run(redis(), [], ['1', '2'])).toBe('3'));
 * });
 * ```
 */
export function useRedis(): () => Redis {
  let server: LocalRedisServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  return () => {
    if (redis === undefined) throw new Error('the redis-server starts in beforeAll: use it inside tests');
    return redis;
  };
}

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { bufferKeys } from './keys.ts';
import { ALLOW_OOM, LuaScript, redisCall } from './lua-script.ts';

// A buffer is its key prefix on one Redis dataset. Two Redis servers using the same prefix are two buffers, which
// the prefix alone cannot tell apart; so each buffer keeps a random id in Redis itself (`<prefix>id`, in the
// prefix's hash slot, never expiring), written once by the first part that claims the table for it. A replica
// holds it too (it is replicated like every key), so a promoted replica is the same buffer; a Redis that lost its
// data has lost it too (buffer-owner.ts decides what that means).

/** Returns the buffer's id, creating it (random) when the Redis holds none under the prefix. ARGV: prefix, new id. */
const ID_SCRIPT = new LuaScript(`${ALLOW_OOM}local k = ARGV[1] .. 'id'
local id = redis.call('GET', k)
if id then return id end
redis.call('SET', k, ARGV[2])
return ARGV[2]
`);

/**
 * The buffer's id under `prefix` on this Redis, or undefined when it holds none (a buffer never claimed, or a Redis
 * that lost its data). One `GET`.
 *
 * @throws {DynotallyError} `REDIS_UNAVAILABLE` when Redis does not answer within `timeoutMs`.
 *
 * @example
 * ```ts
 * const id = await readBufferId(redis, 'dynotally:{buffer}:', 2_000); // '5f0c…' or undefined
 * ```
 */
export async function readBufferId(
  redis: Redis,
  prefix: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const id = await redisCall(redis.get(bufferKeys(prefix).id), timeoutMs, "read the buffer's id");
  return id ?? undefined;
}

/**
 * The buffer's id under `prefix` on this Redis, created (24 random hex digits, no expiry) when it holds none;
 * concurrent calls on one Redis agree on one (a Lua script).
 *
 * @throws {DynotallyError} `REDIS_UNAVAILABLE` when Redis does not answer within `timeoutMs`.
 *
 * @example
 * ```ts
 * const id = await ensureBufferId(redis, 'dynotally:{buffer}:', 2_000);
 * ```
 */
export async function ensureBufferId(redis: Redis, prefix: string, timeoutMs: number): Promise<string> {
  const fresh = randomBytes(12).toString('hex');
  return String(
    await redisCall(ID_SCRIPT.run(redis, [], [prefix, fresh]), timeoutMs, "create the buffer's id"),
  );
}

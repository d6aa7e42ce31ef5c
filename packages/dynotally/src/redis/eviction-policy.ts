import type { Redis } from 'ioredis';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { redisCall } from './lua-script.ts';

// Every key of the buffer but its id carries a TTL, so under any `volatile-*` policy, as under `allkeys-*`, a Redis
// that reaches its `maxmemory` evicts buffered cells, bucket indexes, shard watermarks and the seal instead of
// refusing the next write: batches reported applied (and checkpointed by the stream) never reach DynamoDB, or are
// counted twice once their watermark is gone, silently (test/review/s40r-evicting-policy.int.test.ts). Only
// `noeviction` turns a full Redis into refused batches, which the stream retries; with no `maxmemory` (0) Redis
// never evicts, whatever the policy.

/**
 * What `INFO memory` says of eviction: `maxmemory` (bytes, 0 = no limit) and `maxmemory-policy`; `undefined` where
 * the reply does not say.
 *
 * @example
 * ```ts
 * evictionSettings('maxmemory:1048576\r\nmaxmemory_policy:volatile-lru\r\n'); // { maxmemory: 1048576, policy: 'volatile-lru' }
 * ```
 */
export function evictionSettings(info: string): {
  maxmemory: number | undefined;
  policy: string | undefined;
} {
  const max = /^maxmemory:(\d+)\s*$/m.exec(info)?.[1];
  const policy = /^maxmemory_policy:([\w-]+)\s*$/m.exec(info)?.[1];
  return { maxmemory: max === undefined ? undefined : Number(max), policy };
}

/**
 * An error reply to INFO that says nothing of the moment: INFO renamed or disabled (unknown command), forbidden
 * (NOPERM), or refused by a proxy. A reply saying Redis cannot answer now (BUSY: a script past
 * busy-reply-threshold; LOADING; MASTERDOWN; TRYAGAIN; CLUSTERDOWN) is not one: a pass would outlive it.
 */
function cannotBeTold(cause: unknown): boolean {
  const e = cause as Error | undefined;
  return e?.name === 'ReplyError' && !/^(BUSY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/.test(e.message);
}

/**
 * Refuses a Redis that may evict the buffer's keys: a `maxmemory` above 0 with a `maxmemory-policy` other than
 * `noeviction`. Reads `INFO memory` (allowed on managed Redis, where `CONFIG GET` often is not); a Redis that answers
 * `INFO` with an error (renamed, disabled, or forbidden: `NOPERM`), or whose reply names neither setting, is
 * not refused: it cannot be told. The buffered applier and the flusher call it before their first write, and again
 * when their last reading is a minute old (a restart or a failover can bring another policy back).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` (`details`: `policy`, `maxmemory`) for an evicting configuration;
 * `REDIS_UNAVAILABLE` when Redis does not answer within `timeoutMs`, or says it cannot answer now (`BUSY`, `LOADING`, `MASTERDOWN`, `TRYAGAIN`, `CLUSTERDOWN`).
 *
 * @example
 * ```ts
 * await checkEvictionPolicy(redis, 2_000); // throws CONFIG_INVALID under maxmemory 1gb + volatile-lru
 * ```
 */
export async function checkEvictionPolicy(redis: Redis, timeoutMs: number): Promise<void> {
  let info: string;
  try {
    info = String(await redisCall(redis.info('memory'), timeoutMs, 'read its eviction policy (INFO memory)'));
  } catch (e) {
    // Redis answered that INFO is renamed, disabled or forbidden (an ACL without @dangerous): nothing to tell from.
    // A reply saying it cannot answer now (BUSY, LOADING) stays REDIS_UNAVAILABLE: the check is made again
    if (isDynotallyError(e, 'REDIS_UNAVAILABLE') && cannotBeTold(e.cause)) return;
    throw e;
  }
  const { maxmemory, policy } = evictionSettings(info);
  if (maxmemory === undefined || maxmemory === 0 || policy === undefined || policy === 'noeviction') return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `Redis has maxmemory ${maxmemory} with maxmemory-policy ${policy}: once full it would evict buffered counts (every buffer key has a TTL, so volatile-* policies evict them too) instead of refusing the batch, and they would be lost silently. Set maxmemory-policy noeviction on every node, and keep it there (redis.conf, or CONFIG SET maxmemory-policy noeviction then CONFIG REWRITE: a CONFIG SET alone is lost at a restart and is not replicated; for a managed Redis its parameter group), or no maxmemory. Where the policy cannot be changed, the risk can be accepted explicitly: acceptEviction: true (dynotally worker --accept-eviction), with a Redis that never fills and an alert on evicted_keys`,
    { details: { policy, maxmemory } },
  );
}

import type { Redis } from 'ioredis';
import { DynotallyError } from '../errors/index.ts';
import { ALLOW_OOM, LuaScript, redisCall } from './lua-script.ts';

/**
 * Wait for Redis replicas before DynamoDB or the stream acts on a buffer write (`WAIT min timeoutMs`): for a
 * Redis with replicas that may be promoted, so that a failover to a replica never loses a write something else
 * already depends on (docs/redis-buffer.md, *Durability*).
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, waitReplicas: { min: 1, timeoutMs: 1_000 } });
 * ```
 */
export interface WaitReplicasOptions {
  /** How many replicas must have acknowledged the writes; a whole number of at least 1. */
  min: number;
  /** How long Redis waits for them (ms), a whole number of at least 1; default 1,000. */
  timeoutMs?: number;
}

/**
 * The write before a `WAIT`: `SET <ARGV[1]> <ARGV[2]> PX <ARGV[3]>`, as a script Redis runs also when it is full
 * (`noeviction` over `maxmemory` refuses a plain `SET`): the flusher, which frees memory, must still get its wait.
 */
const TOUCH = new LuaScript(`${ALLOW_OOM}redis.call('SET', ARGV[1], ARGV[2], 'PX', ARGV[3])
return 1`);

/** The default of {@link WaitReplicasOptions.timeoutMs}. */
const DEFAULT_WAIT_TIMEOUT_MS = 1_000;

/**
 * {@link WaitReplicasOptions} with the default applied, validated; `undefined` (no waiting: the default) stays so.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a `min` or `timeoutMs` that is not a whole number of at least 1.
 *
 * @example
 * ```ts
 * waitReplicasOptions({ min: 1 }); // { min: 1, timeoutMs: 1000 }
 * waitReplicasOptions({ min: 0 }); // throws CONFIG_INVALID
 * ```
 */
export function waitReplicasOptions(
  options: WaitReplicasOptions | undefined,
): Required<WaitReplicasOptions> | undefined {
  if (options === undefined) return undefined;
  const { min } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  if (!Number.isSafeInteger(min) || min < 1) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `waitReplicas.min must be a whole number of replicas of at least 1 (leave waitReplicas unset for a Redis without replicas), got ${min}`,
      { details: { waitReplicas: { min, timeoutMs } } },
    );
  }
  // WAIT's 0 means "wait forever": a batch would hang while a replica is down
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `waitReplicas.timeoutMs must be a whole number of ms of at least 1 (e.g. 1000), got ${timeoutMs}`,
      { details: { waitReplicas: { min, timeoutMs } } },
    );
  }
  return { min, timeoutMs };
}

/**
 * Waits until `wait.min` replicas hold every write Redis took so far, by any client. Replication is one ordered
 * stream, and `WAIT` waits for the calling connection's last write: so this first writes one small key of the
 * buffer (`<prefix>rw`, expiring after `keyTtlMs`; a script allowed when Redis is full) on the same connection, in
 * the same round trip (two when the server does not know the script yet). Without it a
 * connection that only read (a redelivered batch found buffered, a flush of buckets written by others) or that
 * reconnected since its last write would be answered at once, replicas or not.
 *
 * @throws {DynotallyError} `REDIS_NOT_REPLICATED` when fewer replicas acknowledged within `wait.timeoutMs`
 * (`details: { acknowledged, min, timeoutMs, operation }`), and also when Redis did not answer (within
 * `redisTimeoutMs` beyond the waits) or refused (`WAIT` on a replica; the cause says which): never
 * `REDIS_UNAVAILABLE`, since the write before it may have been taken and must not be written directly as well.
 *
 * @example
 * ```ts
 * await confirmReplicas(redis, 'dynotally:{buffer}:', 604_800_000, { min: 1, timeoutMs: 1_000 }, 2_000, 'buffer the batch');
 * ```
 */
export async function confirmReplicas(
  redis: Redis,
  prefix: string,
  keyTtlMs: number,
  wait: Required<WaitReplicasOptions>,
  redisTimeoutMs: number,
  what: string,
): Promise<void> {
  const operation = `wait for replicas (${what})`;
  let acknowledged: number;
  try {
    const touch = [`${prefix}rw`, String(Date.now()), String(keyTtlMs)];
    acknowledged = await redisCall(
      (async () => {
        const replies = await redis
          .pipeline()
          .evalsha(TOUCH.sha, 0, ...touch)
          .wait(wait.min, wait.timeoutMs)
          .exec();
        const failed = replies?.find(([err]) => err !== null)?.[0];
        if (failed && !String(failed.message).startsWith('NOSCRIPT')) throw failed;
        if (!failed) return Number(replies?.[1]?.[1]);
        // a server that does not know the script yet: the WAIT above followed no write of this call
        await TOUCH.run(redis, [], touch);
        return Number(await redis.wait(wait.min, wait.timeoutMs));
      })(),
      redisTimeoutMs + 2 * wait.timeoutMs, // two WAITs when the script was unknown
      operation,
    );
  } catch (e) {
    // not "Redis down" for the callers: the write before may have been taken, so it is never written directly too
    throw new DynotallyError(
      'REDIS_NOT_REPLICATED',
      `Redis did not confirm that ${wait.min} ${wait.min === 1 ? 'replica holds' : 'replicas hold'} the buffer's writes (${what}): ${(e as Error)?.message ?? String(e)}; nothing that depends on them was done: retry`,
      { details: { min: wait.min, timeoutMs: wait.timeoutMs, operation: what }, cause: e },
    );
  }
  if (!(acknowledged >= wait.min)) {
    throw new DynotallyError(
      'REDIS_NOT_REPLICATED',
      `only ${acknowledged} Redis ${acknowledged === 1 ? 'replica' : 'replicas'} acknowledged the buffer's writes within ${wait.timeoutMs} ms, ${wait.min} needed (${what}): nothing that depends on them was done; it is retried — bring the replicas back, or lower waitReplicas.min`,
      { details: { acknowledged, min: wait.min, timeoutMs: wait.timeoutMs, operation: what } },
    );
  }
}

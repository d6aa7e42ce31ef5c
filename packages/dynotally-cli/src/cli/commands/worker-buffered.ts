import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger, WriteSide } from 'dynotally';
import { DynamoDbDeadLetterSink, DynotallyError, isDynotallyError } from 'dynotally';
import type { Flusher } from 'dynotally/redis';
import type { Redis } from 'ioredis';
import { connectRedis, loadRedisBuffer, type RedisBufferModules } from '../config/redis.ts';
import type { Settings } from '../config/settings.ts';
import { workerVersionRefusal } from './buffered-versions.ts';
import { flushLetterRetentionDays } from './flush-letter-retention.ts';
import { checkKeyTtl, durationText } from './key-ttl-flag.ts';
import { waitReplicasFlags } from './wait-replicas-flag.ts';

/**
 * The flags that only mean something in buffered mode (with `--redis`).
 *
 * @example
 * ```ts
 * BUFFERED_ONLY_FLAGS.includes('--bucket'); // true
 * ```
 */
export const BUFFERED_ONLY_FLAGS = [
  '--bucket',
  '--key-prefix',
  '--key-ttl',
  '--on-redis-down',
  '--flush-every',
  '--flush-grace',
  '--wait-replicas',
  '--wait-timeout',
  '--accept-eviction',
] as const;

/**
 * The default grace of the worker's own flusher (`--flush-every`, `--flush-grace`): `dynotally flush`'s default
 * `--grace`.
 *
 * @example
 * ```ts
 * DEFAULT_FLUSH_GRACE_MS; // 10000
 * ```
 */
export const DEFAULT_FLUSH_GRACE_MS = 10_000;

/** The `dynotally worker` flags of buffered mode. */
export interface BufferedWorkerFlags {
  /** Which of {@link BUFFERED_ONLY_FLAGS} the user gave (defaults or not); without it, those not at their default. */
  given?: readonly string[] | undefined;
  redis?: string | undefined;
  bucket: number;
  keyPrefix?: string | undefined;
  /** `--key-ttl` (ms); the library's default (7 days) when not given. */
  keyTtl?: number | undefined;
  onRedisDown: 'fail' | 'direct';
  flushEvery?: number | undefined;
  /** `--flush-grace` (ms): the worker's flusher flushes a bucket this long after it closes; {@link DEFAULT_FLUSH_GRACE_MS} when not given. */
  flushGrace?: number | undefined;
  /** `--wait-replicas`: Redis replicas that must hold a write before DynamoDB or the stream acts on it. */
  waitReplicas?: number | undefined;
  /** `--wait-timeout` (ms): how long Redis waits for them. */
  waitTimeout?: number | undefined;
  /**
   * `--accept-eviction`: the applier's `acceptEviction` (a Redis whose `maxmemory-policy` may evict buffer keys is
   * warned about, once, instead of refused at start and at every batch).
   */
  acceptEviction?: boolean | undefined;
}

/** The worker's write side in buffered mode: the Redis connection, the buffered applier and an optional flusher. */
export interface BufferedWorkerSide {
  /** Where the counts go, for the worker's start line. */
  readonly describe: string;
  /**
   * Checks that the aggregate table belongs to this buffer (`--key-prefix` on this Redis: the prefix and the
   * buffer's id), claiming a table that names none: `CONFIG_INVALID` naming both otherwise, before the worker reads
   * the stream (the applier would refuse its first batch).
   */
  checkTable(client: DynamoDBClient): Promise<void>;
  /**
   * Refuses buffered mode before the worker reads the stream when a configured rollup's control item says that
   * version-1 rows of the configured definition are not all that should be written (`checkBufferedVersions`, the
   * rule the applier applies before every batch): `CONFIG_INVALID` in the worker's words ({@link workerVersionRefusal}).
   */
  checkVersions(client: DynamoDBClient): Promise<void>;
  /** Whether an error of the applier is its refusal for rollup versions (`isBufferedVersionRefusal`). */
  isVersionRefusal(e: unknown): e is DynotallyError;
  /** Creates the buffered applier over `client` (and starts the flusher when `--flush-every` asks for one). */
  start(client: DynamoDBClient): WriteSide;
  /** Stops the flusher (waiting for a flush in progress) and closes the Redis connection. */
  stop(): Promise<void>;
}

/**
 * Buffered mode of `dynotally worker`: with `--redis`, a connected Redis and the means to build the buffered
 * applier the worker writes through; without it, `undefined` (direct mode). Buffered-only flags without
 * `--redis`, and `--redis` with an at-least-once configuration or the `transaction` strategy, fail with what to
 * change. The configuration's `write.api` is the direct fallback's (`--on-redis-down direct`).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for contradictory flags; `REDIS_UNAVAILABLE` when Redis cannot be reached.
 * @example
 * ```ts
 * const buffered = await bufferedWriteSide(flags, settings, logger);
 * const worker = createStreamWorker({ ...options, applier: buffered?.start(client) });
 * ```
 */
export async function bufferedWriteSide(
  flags: BufferedWorkerFlags,
  settings: Pick<Settings, 'mode' | 'strategy' | 'writeApi' | 'rollups' | 'tables'>,
  logger: Logger,
): Promise<BufferedWorkerSide | undefined> {
  if (flags.redis === undefined) {
    const stray =
      flags.given ??
      [
        flags.flushEvery === undefined ? undefined : '--flush-every',
        flags.flushGrace === undefined || flags.flushGrace === DEFAULT_FLUSH_GRACE_MS
          ? undefined
          : '--flush-grace',
        flags.waitReplicas === undefined ? undefined : '--wait-replicas',
        flags.waitTimeout === undefined ? undefined : '--wait-timeout',
        flags.acceptEviction === true ? '--accept-eviction' : undefined,
        flags.keyPrefix === undefined ? undefined : '--key-prefix',
        flags.keyTtl === undefined ? undefined : '--key-ttl',
        flags.onRedisDown === 'fail' ? undefined : '--on-redis-down',
        flags.bucket === 15 * 60_000 ? undefined : '--bucket',
      ].filter((f) => f !== undefined);
    if (stray.length > 0)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `worker: ${stray.join(', ')} only ${stray.length === 1 ? 'applies' : 'apply'} to buffered mode: add --redis <url> (or DYNOTALLY_REDIS_URL), or drop ${stray.length === 1 ? 'it' : 'them'}`,
        { details: { flags: stray } },
      );
    return undefined;
  }
  if (settings.mode === 'at-least-once')
    throw new DynotallyError(
      'CONFIG_INVALID',
      "worker: the Redis buffer counts exactly once; drop mode 'at-least-once' from the configuration, or drop --redis",
    );
  // the buffer's direct fallback is the row-watermark applier (docs/redis-buffer.md): no other strategy applies
  if (settings.strategy === 'transaction')
    throw new DynotallyError(
      'CONFIG_INVALID',
      "worker: the Redis buffer's direct fallback counts exactly once by row watermarks, so strategy 'transaction' does not apply to it; drop strategy 'transaction' from the configuration, or drop --redis",
      { details: { strategy: settings.strategy } },
    );
  const grace = flushGraceOf(flags);
  const { Redis, buffer } = await loadRedisBuffer('dynotally worker --redis');
  // the keys must outlive the applier's bucket, and with --flush-every the flusher's reach: before connecting
  checkKeyTtl(
    buffer,
    'worker',
    flags.keyTtl,
    flags.flushEvery === undefined
      ? [['--bucket', flags.bucket]]
      : [
          ['--bucket', flags.bucket],
          [flags.flushGrace === undefined ? "the flusher's grace" : '--flush-grace', grace],
          ['--flush-every', flags.flushEvery],
        ],
  );
  // and the applier's shard watermarks every record it counts (late ones are dead-lettered: RECORD_TOO_OLD)
  const ttl = flags.keyTtl ?? buffer.DEFAULT_KEY_TTL_MS;
  if (ttl < buffer.WATERMARK_KEEP_MS)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `worker: --key-ttl ${durationText(ttl)} is too short for the applier's shard watermarks, which must outlive every redelivery it counts (records up to 24 h 30 min old): give --key-ttl 25h or more`,
      { details: { flag: '--key-ttl', keyTtlMs: ttl, leastMs: buffer.WATERMARK_KEEP_MS } },
    );
  const wait = waitReplicasFlags('worker', flags.waitReplicas, flags.waitTimeout);
  const redis = await connectRedis(Redis, flags.redis, { persistent: true });
  return bufferedSide({ ...flags, flushGrace: grace }, settings, logger, redis, buffer, flags.redis, wait);
}

/**
 * The worker's flusher grace: `--flush-grace`, else {@link DEFAULT_FLUSH_GRACE_MS}. `--flush-grace` without
 * `--flush-every` (no flusher in the process) is `CONFIG_INVALID`: the grace of `dynotally flush` is its `--grace`.
 */
function flushGraceOf(flags: BufferedWorkerFlags): number {
  const given = flags.given?.includes('--flush-grace') ?? flags.flushGrace !== undefined;
  if (given && flags.flushEvery === undefined)
    throw new DynotallyError(
      'CONFIG_INVALID',
      "worker: --flush-grace only applies to the worker's own flusher: add --flush-every <d>, or drop it (a flusher run apart takes dynotally flush --grace)",
      { details: { flags: ['--flush-grace'] } },
    );
  return flags.flushGrace ?? DEFAULT_FLUSH_GRACE_MS;
}

/**
 * The buffered side over a connected Redis and the loaded buffer module (exported for tests, which hand it a fake
 * module to see what the flusher and the applier are given).
 *
 * @example
 * ```ts
 * const side = bufferedSide(flags, settings, logger, redis, buffer, url, {});
 * const applier = side.start(client);
 * ```
 */
export function bufferedSide(
  flags: BufferedWorkerFlags,
  settings: Pick<Settings, 'writeApi' | 'rollups' | 'tables'>,
  logger: Logger,
  redis: Redis,
  buffer: RedisBufferModules['buffer'],
  url: string,
  wait: ReturnType<typeof waitReplicasFlags>,
): BufferedWorkerSide {
  let flusher: Flusher | undefined;
  const flushing = flags.flushEvery === undefined ? '' : `, flushed every ${flags.flushEvery / 1000} s`;
  return {
    describe: `Redis ${url} (${flags.bucket / 60_000}-minute buckets${flushing}) → ${settings.tables.aggregate}`,
    checkTable: async (client) => {
      try {
        await buffer.claimTableBuffer({
          client,
          table: settings.tables.aggregate,
          redis,
          prefix: flags.keyPrefix ?? buffer.DEFAULT_KEY_PREFIX,
          ...wait,
        });
      } catch (e) {
        // the table's buffer was checked (another buffer is refused before the wait), only its first claim is not
        // confirmed yet (a replica still syncing): the first batch claims it, waiting again, as every batch waits
        if (!isDynotallyError(e, 'REDIS_NOT_REPLICATED')) throw e;
        logger.warn(
          `the Redis replicas have not confirmed the buffer's id yet (${e.message}); the first batch claims the table once they do`,
        );
      }
      // a Redis that may evict buffer keys is refused at start, as the applier refuses every batch on it; with
      // --accept-eviction it is said at start as a warning (the applier warns again with its first batch: a run that
      // applies none, `--until-idle` on a quiet stream, said nothing before session 41)
      if (flags.acceptEviction !== true) await buffer.checkEvictionPolicy(redis, 2_000);
      else {
        try {
          await buffer.checkEvictionPolicy(redis, 2_000);
        } catch (e) {
          if (!isDynotallyError(e, 'CONFIG_INVALID')) throw e;
          const { policy, maxmemory } = e.details as { policy?: string; maxmemory?: number };
          logger.warn(
            `Redis has maxmemory ${maxmemory} with maxmemory-policy ${policy}, accepted (--accept-eviction): buffered counts are lost silently if it fills; keep it from filling and alert on evicted_keys`,
            { policy, maxmemory },
          );
        }
      }
    },
    checkVersions: async (client) => {
      try {
        await buffer.checkBufferedVersions({
          client,
          table: settings.tables.aggregate,
          rollups: settings.rollups,
        });
      } catch (e) {
        throw buffer.isBufferedVersionRefusal(e) ? workerVersionRefusal(e) : e;
      }
    },
    isVersionRefusal: (e): e is DynotallyError => buffer.isBufferedVersionRefusal(e),
    start(client) {
      const options = {
        redis,
        client,
        table: settings.tables.aggregate,
        rollups: settings.rollups,
        bucketMs: flags.bucket,
        logger,
        ...(flags.keyPrefix === undefined ? {} : { keyPrefix: flags.keyPrefix }),
        ...(flags.keyTtl === undefined ? {} : { keyTtlMs: flags.keyTtl }),
        ...wait,
      };
      if (flags.flushEvery !== undefined) {
        flusher = buffer.createFlusher({
          ...options,
          graceMs: flags.flushGrace ?? DEFAULT_FLUSH_GRACE_MS,
          // the process accepted an evicting Redis: its flusher warns, as the applier does, instead of an error line
          ...(flags.acceptEviction === true ? { acceptEviction: true } : {}),
          deadLetter: new DynamoDbDeadLetterSink(
            client,
            settings.tables.deadLetter,
            flushLetterRetentionDays(flags.keyTtl),
          ),
        });
        flusher.start(flags.flushEvery);
      }
      return buffer.createBufferedApplier({
        ...options,
        onRedisDown: flags.onRedisDown,
        ...(flags.acceptEviction === true ? { acceptEviction: true } : {}),
        // a worker back after a day's outage reads records whose watermark or row states may be gone: the
        // applier's default, said here as the direct worker says it (directApplierOptions)
        lateRecords: 'dead-letter',
        ...(settings.writeApi === undefined ? {} : { write: { api: settings.writeApi } }),
      });
    },
    async stop() {
      await flusher?.stop();
      redis.disconnect();
    },
  };
}

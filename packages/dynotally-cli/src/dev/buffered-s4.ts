import type { LiveSource, Logger, StreamWorkerOptions } from 'dynotally';
import { DynotallyError } from 'dynotally';
import type { LocalRedisServer } from 'dynotally/local';
import type { BufferedApplier, Flusher, FlushStep } from 'dynotally/redis';
import type { Redis } from 'ioredis';
import { LOCAL_REDIS_READ_TIMEOUT_MS } from '../cli/config/redis.ts';
import { scenario } from '../scenarios/generators/index.ts';
import { referenceRollups } from '../scenarios/index.ts';
import { describeFlushSchedule, flushSchedule } from './flush-schedule.ts';
import { quietLogger } from './quiet-logger.ts';
import type { S4Wiring, S4WiringContext } from './s4-wiring.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Options of {@link bufferedS4}.
 *
 * @example
 * ```ts
 * const options: BufferedS4Options = { flushEveryMs: 30_000, graceMs: 2_000 };
 * ```
 */
export interface BufferedS4Options {
  /** Width of a flush bucket (default 15 minutes, as the reference system S4). */
  bucketMs?: number;
  /** Wider buckets for coarse rows (default `{ month: 1 h, all: 1 h }`, as the benchmark: they change with every event). */
  rowBucketMs?: Readonly<
    Partial<Record<'minute' | 'hour' | 'day' | 'week' | 'month' | 'year' | 'all', number>>
  >;
  /** How often the flusher looks for closed buckets (default 15 s). */
  flushEveryMs?: number;
  /** A bucket is flushed this long after it closes (default 2 s: one writer, one clock). */
  graceMs?: number;
  /** The `redis-server` executable (default from `PATH`). */
  redisCommand?: string;
}

/**
 * What the buffered S4 wiring has done so far (for status lines and tests).
 *
 * @example
 * ```ts
 * const { flushes, bucketsFlushed, rowsFlushed } = wiring.stats();
 * ```
 */
export interface BufferedS4Stats {
  /** `redis://127.0.0.1:<port>` once started. */
  redisUrl: string | undefined;
  redisPort: number | undefined;
  /** Flush runs (one per tick, whether or not a bucket had closed), buckets moved, rows written by them. */
  flushes: number;
  bucketsFlushed: number;
  rowsFlushed: number;
}

/**
 * The buffered S4 wiring: an {@link S4Wiring} with stats.
 *
 * @example
 * ```ts
 * const wiring: BufferedS4Wiring = bufferedS4();
 * await startDevStack({ s4: wiring });
 * console.log(wiring.stats().bucketsFlushed);
 * ```
 */
export interface BufferedS4Wiring extends S4Wiring {
  readonly mode: 'buffered';
  stats(): BufferedS4Stats;
}

interface Running {
  server: LocalRedisServer;
  redis: Redis;
  applier: BufferedApplier;
  flusher: Flusher;
  live: LiveSource;
  /** Flush every bucket at stop (the DynamoDB keeps its data; our redis-server does not). */
  final: boolean;
  /**
   * That flush: `runFlushOnce({ all: true })` with the flusher's options, which waits for a lock another flusher
   * holds (review s41r).
   */
  flushAll: () => Promise<unknown>;
  logger: Logger;
  /** Set once `server` has exited: its keys are gone, so the stop neither flushes nor says goodbye to it. */
  gone: boolean;
}

/**
 * S4 as the reference system runs it, in the dev stack: its own `redis-server` on a free loopback port
 * (persistence off), S4's own stream worker counting into Redis buckets (15 minutes wide, S4's month and all-time rows 1 hour: `rowBucketMs`) (exactly once, the shard
 * watermark moved in the same Lua script), a flusher moving closed buckets to DynamoDB every `flushEveryMs`,
 * and the buffer's live source merged into every dashboard read — so S4's panel shows today's numbers before
 * the first flush. On stop: the flusher, a last flush of every bucket when the DynamoDB outlives the stack
 * (`--endpoint`; nothing is lost with our `redis-server`), the Redis client, then `redis-server`. ioredis and the Redis buffer are loaded with
 * `import()` only when this wiring starts, so the core does not need ioredis.
 *
 * @throws {DynotallyError} from `start`: `LOCAL_START_FAILED` when `redis-server` is missing or does not start;
 * `CONFIG_INVALID` when the `ioredis` package is not installed.
 *
 * @example
 * ```ts
 * const stack = await startDevStack({ s4: bufferedS4({ flushEveryMs: 30_000 }) });
 * console.log(stack.s4.describe); // 'buffered in Redis at redis://127.0.0.1:40123 …'
 * ```
 */
export function bufferedS4(options: BufferedS4Options = {}): BufferedS4Wiring {
  const bucketMs = options.bucketMs ?? 15 * MINUTE;
  const rowBucketMs = options.rowBucketMs ?? { month: HOUR, all: HOUR };
  const flushEveryMs = options.flushEveryMs ?? 15_000;
  const graceMs = options.graceMs ?? 2_000;
  const keyPrefix = 'dynotally-dev:{s4}:';
  const rollups = [scenario('s4').rollup];
  const stats: BufferedS4Stats = {
    redisUrl: undefined,
    redisPort: undefined,
    flushes: 0,
    bucketsFlushed: 0,
    rowsFlushed: 0,
  };
  let running: Running | undefined;
  let lost: Promise<DynotallyError> | undefined;

  const start = async (ctx: S4WiringContext): Promise<void> => {
    const [{ startRedisServer }, { Redis }, buffer] = await Promise.all([
      import('dynotally/local'),
      import('ioredis'),
      import('dynotally/redis'),
    ]).catch((e: unknown) => {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `the buffered S4 mode needs the ioredis package: run 'npm install ioredis', or start with --s4 direct`,
        { cause: e },
      );
    });
    const server = await startRedisServer({
      ...(options.redisCommand === undefined ? {} : { command: options.redisCommand }),
    });
    try {
      const redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
      redis.on('error', () => {}); // failures surface as rejected commands (the worker retries the batch)
      // the buffer's warnings and errors, one line each; repeats at most once a minute with a count (ctx.lines)
      const logger = quietLogger(ctx.log, ctx.lines, 'S4 buffer');
      const flushRecovery = recoveryOnFlush(logger);
      const common = { redis, client: ctx.client, table: ctx.tables.aggregate, rollups, keyPrefix, bucketMs };
      // The redis-server started just now is empty, and the buffer of S4's table: a table kept from an earlier run
      // (--endpoint) names that run's Redis, gone with its stack (its buckets flushed on stop), so it is handed over
      // to this one, whose first applier or flusher records its id (docs/redis-buffer.md, "One buffer per table")
      await buffer.releaseTableBuffer({ client: ctx.client, table: ctx.tables.aggregate, prefix: keyPrefix });
      const flusherOptions = {
        ...common,
        graceMs,
        logger,
        onStep: (step: FlushStep) => {
          flushRecovery(step);
          if (step.step === 'sealed') stats.flushes += 1;
          else if (step.step === 'rows-written') stats.rowsFlushed += step.rows;
          else if (step.step === 'bucket-done') stats.bucketsFlushed += 1;
        },
      };
      const flusher = buffer.createFlusher(flusherOptions);
      // the stop's flush of everything waits for another flusher's lock as `flush --all` does, saying so
      const flushAll = () =>
        buffer.runFlushOnce({
          ...flusherOptions,
          all: true,
          out: (line) => {
            if (line.startsWith('another flusher')) logger.warn(line);
          },
        });
      running = {
        server,
        redis,
        // the change-a-rollup demo writes version 2 of 'store' through a versioned worker of its own (change-rollup.ts),
        // so S4 keeps buffering version 1 beside it instead of refusing every batch once version 2 is registered
        applier: buffer.createBufferedApplier({
          ...common,
          rowBucketMs,
          logger,
          lateRecords: 'dead-letter',
          otherVersions: 'written-elsewhere',
        }),
        flusher,
        // Merged into every read of the dashboard's query client: it must know every rollup it may be asked about
        // (leaderboards name their ranked attribute; a rollup it was not given reads nothing live), though only S4's
        // are ever buffered.
        live: buffer.createRedisLiveSource({
          redis,
          rollups: referenceRollups,
          keyPrefix,
          redisTimeoutMs: LOCAL_REDIS_READ_TIMEOUT_MS,
        }),
        final: ctx.dynamoDbOutlivesStack === true,
        flushAll,
        logger,
        gone: false,
      };
      const r = running;
      // persistence is off: a redis-server that exits takes every unflushed bucket with it
      lost = server.exited.then((how) => {
        r.gone = true;
        return new DynotallyError(
          'REDIS_UNAVAILABLE',
          `the dev stack's redis-server (pid ${server.pid}, ${server.url}) exited (${how}) while the dev stack ran: S4's counts not yet flushed to DynamoDB were lost with it (it keeps nothing on disk), so the stack stopped; start it again (npm start)`,
          { details: { pid: server.pid, url: server.url, exit: how } },
        );
      });
      flusher.start(flushEveryMs);
      stats.redisUrl = server.url;
      stats.redisPort = server.port;
    } catch (e) {
      await server.stop();
      throw e;
    }
  };

  const stop = async (): Promise<void> => {
    const r = running;
    running = undefined;
    if (r === undefined) return;
    if (r.gone) {
      // nothing left to flush or to quit: the client's reconnects are dropped, the flusher's tick too
      r.redis.disconnect();
      await r.flusher.stop().catch(() => {});
      await r.server.stop();
      return;
    }
    try {
      await r.flusher.stop();
      // The workers have stopped: when the DynamoDB outlives the stack, every bucket (open ones too) goes there. A
      // flusher holding the lock (`dynotally flush --watch` beside the stack) is waited for, as `flush --all` waits:
      // `skipped: 'locked'` was ignored, and the buckets died with the redis-server below without a word (review s41r)
      if (r.final) {
        try {
          await r.flushAll();
        } catch (e) {
          r.logger.error(
            "the last flush did not move every bucket to DynamoDB: the counts still in Redis are lost with the dev stack's redis-server",
            { error: e },
          );
          throw e;
        }
      }
    } finally {
      await r.redis.quit().catch(() => r.redis.disconnect());
      await r.server.stop();
    }
  };

  return {
    mode: 'buffered',
    get describe() {
      const where = stats.redisUrl === undefined ? 'redis-server' : stats.redisUrl;
      // Said per row kind from the applier's own widths: S4's rows flush hourly, not at the flusher's tick.
      const schedule = describeFlushSchedule(
        flushSchedule(scenario('s4').rollup, { bucketMs, rowBucketMs }),
        flushEveryMs,
      );
      return `buffered in Redis (${where}, started by the dev stack): ${schedule}; the dashboard (and dynotally query --redis ${where === 'redis-server' ? '<url>' : where} --key-prefix '${keyPrefix}') merges the unflushed ones`;
    },
    get liveSource() {
      return running?.live;
    },
    get lost() {
      return lost;
    },
    start,
    workerOptions(base: StreamWorkerOptions): StreamWorkerOptions {
      if (running === undefined) {
        throw new DynotallyError(
          'WORKER_ERROR',
          'bufferedS4: start() the wiring before asking for its worker',
        );
      }
      // The applier's settings are its own: the built-in applier's options must not sit beside it.
      const { mode: _m, strategy: _s, concurrency: _c, retry: _r, ...rest } = base;
      return { ...rest, applier: running.applier };
    },
    stop,
    stats: () => ({ ...stats }),
  };
}

/**
 * When the S4 buffer works again, from its flusher's steps: a bucket flushed, or a flush sealed with no warning or
 * error line since the previous seal (a flush that seals and then fails to write its rows is no recovery, or every
 * tick of a DynamoDB outage would say it recovered and failed again).
 *
 * @example
 * ```ts
 * const onStep = recoveryOnFlush(quietLogger(log, lines, 'S4 buffer'));
 * onStep({ step: 'sealed', seal: Date.now() });
 * ```
 */
export function recoveryOnFlush(logger: {
  readonly problems: number;
  recovered(what: string): void;
}): (step: FlushStep) => void {
  let problemsAtSeal: number | undefined;
  return (step) => {
    if (step.step === 'bucket-done' || (step.step === 'sealed' && problemsAtSeal === logger.problems))
      logger.recovered('flushes go through');
    if (step.step === 'sealed') problemsAtSeal = logger.problems;
  };
}

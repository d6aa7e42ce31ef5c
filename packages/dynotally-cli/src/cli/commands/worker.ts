import type { Command } from 'commander';
import {
  createStreamWorker,
  DynotallyError,
  installSignalHandlers,
  isDynotallyError,
  jsonLogger,
  type LogLevel,
  runWorkerUntilIdle,
  type WorkerStats,
  type WriteSide,
} from 'dynotally';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import { streamArnSchema } from '../config/config-schema.ts';
import { checkDistinctTables } from '../config/distinct-tables.ts';
import { redisUrlFlag } from '../config/redis.ts';
import type { CliContext } from '../context.ts';
import { countFlagIn, durationFlag, timerDurationFlag } from '../flags.ts';
import { givenFlags } from '../given-flags.ts';
import { plural } from '../output/plural.ts';
import { createProgress } from '../output/progress.ts';
import { liveAlsoWrite } from './also-write-live.ts';
import { guardedBufferedSide } from './buffered-versions.ts';
import { DEFAULT_KEY_TTL } from './key-ttl-flag.ts';
import { DEFAULT_CLAIM_TABLE } from './rollup-work.ts';
import { workerBanner } from './worker-banner.ts';
import { BUFFERED_ONLY_FLAGS, bufferedWriteSide } from './worker-buffered.ts';
import { DIRECT_ONLY_FLAGS, directWriteSide, prepareDirectSide } from './worker-direct.ts';
import { stopOnRefusal } from './worker-refusals.ts';

const flagsSchema = z.object({
  streamArn: streamArnSchema.optional(),
  batchSize: countFlagIn(1, 1000).default(100),
  pollInterval: countFlagIn(0, 60_000).default(250),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).default('TRIM_HORIZON'),
  workerId: z.string().min(1).optional(),
  duration: timerDurationFlag.optional(),
  applyTimeout: timerDurationFlag.default(300_000),
  untilIdle: z.boolean().default(false),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('warn'),
  redis: redisUrlFlag.optional(),
  bucket: durationFlag.default(15 * 60_000),
  keyPrefix: z.string().min(1, 'a key prefix must not be empty').optional(),
  keyTtl: durationFlag.optional(),
  onRedisDown: z.enum(['fail', 'direct'], { message: "expected 'fail' or 'direct'" }).default('fail'),
  flushEvery: timerDurationFlag.optional(),
  flushGrace: durationFlag.optional(),
  waitReplicas: countFlagIn(1, 1_000).optional(),
  waitTimeout: countFlagIn(1, 3_600_000).optional(),
  acceptEviction: z.boolean().default(false),
  firstVersion: z
    .enum(['serving', 'building'], { message: "expected 'serving' or 'building'" })
    .default('serving'),
  claimTable: z.string().min(1, 'give the claim table name, e.g. dynotally-claims').optional(),
});

/**
 * `dynotally worker`: runs the stream worker on the source table's stream — leases, checkpoints, retries,
 * dead letters — until Ctrl-C (checkpoints and releases its leases), for `--duration`, or `--until-idle`.
 * Without `--redis` it writes through the rollup versions (`createVersionedWriteSide`: registers the configured
 * definitions, writes every version not retired, claims the items a backfill builds); with `--redis` it counts
 * version 1 into the Redis buffer (exactly once) instead, and with `--flush-every` also flushes it.
 *
 * @example
 * ```ts
 * registerWorker(program, ctx); // dynotally worker --endpoint http://127.0.0.1:8000
 * ```
 */
export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description("fold the source table's stream into the aggregate table (run several to share the shards)")
    .option(
      '--stream-arn <arn>',
      'the stream to read (default: DYNOTALLY_STREAM_ARN, else the source table’s latest stream)',
    )
    .option('--batch-size <n>', 'records per batch (1–1000)', '100')
    .option('--poll-interval <ms>', 'pause between polls of an idle shard', '250')
    .option(
      '--starting-position <p>',
      'where the shards listed when the workers first meet the stream start: TRIM_HORIZON or LATEST',
      'TRIM_HORIZON',
    )
    .option('--worker-id <id>', 'unique id of this worker (default: host-pid-random)')
    .option('--duration <d>', 'stop after this long (e.g. 10m); default: until Ctrl-C')
    .option(
      '--apply-timeout <d>',
      "give a shard's lease up when one batch's write does not answer within this long (APPLY_TIMEOUT); the batch is redelivered",
      '5m',
    )
    .option('--until-idle', 'stop once every shard is caught up (one-off catch-up runs, scripts)')
    .option('--log-level <level>', 'worker log level: debug, info, warn, error, silent (JSON lines)', 'warn')
    .option(
      '--redis <url>',
      'buffered mode: count into this Redis, not DynamoDB (env DYNOTALLY_REDIS_URL; see dynotally flush)',
      ctx.io.env.DYNOTALLY_REDIS_URL || undefined,
    )
    .option('--bucket <d>', 'buffered mode: flush bucket width', '15m')
    .option('--key-prefix <prefix>', 'buffered mode: Redis key prefix (default dynotally:{buffer}:)')
    .option(
      '--key-ttl <d>',
      `buffered mode: expiry of the buffer's keys after their last write (default ${DEFAULT_KEY_TTL}); at least --bucket (+ --flush-every) + 24h`,
    )
    .option(
      '--on-redis-down <policy>',
      "buffered mode: 'fail' the batch so the stream retries it, or write 'direct' to DynamoDB",
      'fail',
    )
    .option('--flush-every <d>', 'buffered mode: also run a flusher in this process, e.g. 1m')
    .option(
      '--flush-grace <d>',
      'with --flush-every: the flusher flushes a bucket this long after it closes (writers with slow clocks; default 10s, as dynotally flush --grace)',
    )
    .option(
      '--wait-replicas <n>',
      'buffered mode, Redis with replicas: a batch is done (and a flush writes) only once n replicas hold it (WAIT)',
    )
    .option('--wait-timeout <ms>', 'with --wait-replicas: how long Redis waits for them (default 1000)')
    .option(
      '--accept-eviction',
      'buffered mode: run on a Redis whose maxmemory-policy may evict buffer keys (refused otherwise), with a warning: a full Redis then loses counts silently',
    )
    .option(
      '--first-version <state>',
      "state of a rollup's first version when it has none yet: serving, or building for a rollup over an existing table (then: dynotally backfill <rollup> --promote)",
      'serving',
    )
    .option(
      '--claim-table <name>',
      `claim table shared with dynotally backfill, created when a version is being built (default: ${DEFAULT_CLAIM_TABLE})`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  dynotally worker --endpoint http://127.0.0.1:8000\n  dynotally worker --source-table orders --table orders-aggregates --region eu-west-1\n  dynotally worker --until-idle --json\n  dynotally worker --first-version building   # new rollups over an existing table: then dynotally backfill <rollup> --promote\n  dynotally worker --redis redis://127.0.0.1:6379 --flush-every 1m   # buffered (needs ioredis)\n\nVersions: without --redis the worker registers each configured definition in the rollup\'s control item\n(the first one serving, unless --first-version building), a changed definition as a new version (building:\nrun dynotally backfill <rollup> --promote to build and serve it), and writes every version that is not retired.\nA worker whose configuration lacks a newer version that another worker registered (a rollout of a changed\ndefinition over several workers, or a rollback) refuses to start, or stops (exit 1, the batch unwritten), rather\nthan count without it: restart it with the new configuration, or retire the version (dynotally rollups retire).\nDuring such a change keep the serving definition in the configuration\'s alsoWrite: the worker writes it too,\nso a rollback loses nothing (docs/cli.md, "Changing a rollup with several workers").\nWith --redis it writes version 1 only: it refuses to start when the control item says another version\nserves or is being built, and stops (the batch unwritten, for a worker without --redis) when that changes.',
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      // the source table is read only when no stream ARN is given; the claim table only without --redis
      checkDistinctTables(settings.tables, {
        tables: [
          ...((flags.streamArn ?? settings.streamArn) === undefined ? (['source'] as const) : []),
          'aggregate',
          'deadLetter',
          'leases',
        ],
        claimTable: flags.redis === undefined ? (flags.claimTable ?? DEFAULT_CLAIM_TABLE) : undefined,
      });
      const logger = jsonLogger(flags.logLevel as LogLevel);
      const direct = givenFlags(cmd, DIRECT_ONLY_FLAGS);
      if (flags.redis !== undefined && direct.length > 0)
        throw new DynotallyError(
          'CONFIG_INVALID',
          `worker: ${direct.join(', ')} only ${direct.length === 1 ? 'applies' : 'apply'} without --redis (the Redis buffer writes version 1 only): drop --redis, or drop ${direct.length === 1 ? 'it' : 'them'}`,
          { details: { flags: direct } },
        );
      if (flags.redis !== undefined && settings.alsoWrite.length > 0)
        throw new DynotallyError(
          'CONFIG_INVALID',
          `worker --redis: the configuration's alsoWrite (${settings.alsoWrite.map((r) => r.compiled.name).join(', ')}) needs rollup versions, and the Redis buffer writes version 1 only: run the worker without --redis during the rollout`,
          { details: { alsoWrite: settings.alsoWrite.map((r) => r.compiled.name) } },
        );
      const buffered = await bufferedWriteSide(
        { ...flags, given: givenFlags(cmd, BUFFERED_ONLY_FLAGS) },
        settings,
        logger,
      );
      const clients = makeClients(settings);
      const claimTable = flags.claimTable ?? DEFAULT_CLAIM_TABLE;
      let writeSide: WriteSide;
      // a buffered worker stops once another version than 1 must be written (checked before every batch), a
      // direct one once a batch is refused for its configuration
      let stopReason: unknown;
      try {
        if (buffered === undefined) {
          // alsoWrite checked against the control items before the side registers anything
          const also = await liveAlsoWrite(clients.ddb, settings);
          for (const note of also.notes) ctx.io.stderr(`${note}\n`);
          const written = { ...settings, alsoWrite: also.alsoWrite };
          const direct = directWriteSide(clients.ddb, written, {
            firstVersion: flags.firstVersion,
            claimTable,
          });
          const building = await prepareDirectSide(direct, clients.ddb, written, { claimTable });
          if (building.length > 0)
            ctx.io.stderr(
              `building: ${building.join('; ')}; the stream is written through the claims in ${claimTable}\n`,
            );
          if (written.alsoWrite.length > 0)
            ctx.io.stderr(
              `also writing (alsoWrite): the other definition of ${written.alsoWrite.map((r) => r.compiled.name).join(', ')}, in its version, until that version is retired\n`,
            );
          // stops once a batch is refused for the configuration (a newer version it does not have, registered
          // by a worker with a newer configuration; its definition retired): the shards go to workers that have it
          writeSide = stopOnRefusal(direct, (reason) => {
            stopReason ??= reason;
            void worker.stop();
          });
        } else {
          await buffered.checkVersions(clients.ddb);
          await buffered.checkTable(clients.ddb); // one buffer per aggregate table
          // the applier checks the control items before every batch; its refusal stops the worker
          writeSide = guardedBufferedSide(
            buffered.start(clients.ddb),
            (e) => buffered.isVersionRefusal(e),
            (reason) => {
              stopReason ??= reason;
              void worker.stop();
            },
          );
        }
      } catch (e) {
        await buffered?.stop();
        clients.destroy();
        throw e;
      }
      const progress = createProgress(ctx.io, { everyMs: 10_000 });
      // start() reports progress already, before the banner can be printed (it names the stream start() finds):
      // the last such line waits for the banner, so that the banner comes first, piped or on a terminal
      // (review s43u: a piped worker's first line was its progress); --until-idle prints no banner
      let bannerShown = flags.untilIdle === true;
      let heldLine: string | undefined;
      const showProgress = (line: string) => {
        if (bannerShown) progress.update(line);
        else heldLine = line;
      };
      const streamArn = flags.streamArn ?? settings.streamArn;
      const worker = createStreamWorker({
        client: clients.ddb,
        streamsClient: clients.streams,
        ...(streamArn === undefined ? { sourceTable: settings.tables.source } : { streamArn }),
        leaseTable: settings.tables.leases,
        table: settings.tables.aggregate,
        // by name, as the write side reports them (the direct one writes alsoWrite's definitions too)
        rollups: settings.rollups,
        applier: writeSide,
        deadLetter: { table: settings.tables.deadLetter },
        logger,
        batchSize: flags.batchSize,
        pollIntervalMs: flags.pollInterval,
        startingPosition: flags.startingPosition,
        applyTimeoutMs: flags.applyTimeout,
        ...(flags.workerId === undefined ? {} : { workerId: flags.workerId }),
        onProgress: (s) => showProgress(statsLine(s)),
      });
      // the first SIGINT / SIGTERM: a clean stop (a second one exits at once, 130 / 143)
      let interrupted: NodeJS.Signals | undefined;
      let caughtUp = false;
      const uninstall = installSignalHandlers(worker, {
        exit: false,
        onSignal: (s) => {
          interrupted ??= s;
          progress.done();
          ctx.io.stderr(
            `${s}: finishing the batch in flight, checkpointing, releasing leases … (again to quit at once)\n`,
          );
        },
      });
      try {
        if (flags.untilIdle) {
          // other live workers' shards are theirs: idle is this worker's share caught up (once a lease duration has
          // told live holders from crashed ones, whose shards it takes over first)
          await runWorkerUntilIdle(worker, { timeoutMs: flags.duration ?? 600_000, shared: 'auto' });
          caughtUp = true;
        } else {
          await worker.start();
          ctx.io.stderr(
            workerBanner(
              worker.workerId,
              worker.stats().streamArn ?? settings.tables.source,
              buffered?.describe ?? settings.tables.aggregate,
              settings.rollups,
            ),
          );
          bannerShown = true;
          if (heldLine !== undefined) progress.update(heldLine);
          const timer =
            flags.duration === undefined ? undefined : setTimeout(() => void worker.stop(), flags.duration);
          await worker.done;
          if (timer !== undefined) clearTimeout(timer);
        }
      } catch (e) {
        // the worker stopped for stopReason (thrown below), or --until-idle was interrupted (its stop, said below)
        const interruptedRun = interrupted !== undefined && isDynotallyError(e, 'WORKER_ERROR');
        if (stopReason === undefined && !interruptedRun) throw e;
      } finally {
        uninstall();
        await worker.stop().catch(() => {});
        await buffered?.stop();
        progress.done();
        clients.destroy();
      }
      if (stopReason !== undefined) throw stopReason;
      const s = worker.stats();
      if (flags.untilIdle && !caughtUp && interrupted !== undefined) {
        // not caught up: a script must not go on as if it were (the shell's codes for the signal), but nothing failed
        ctx.io.stderr(`${interruptedLine(interrupted, s)}\n`);
        ctx.emit(globals, { ...s, interrupted }, () => `stopped: ${statsLine(s)}\n`);
        ctx.exitCode = interrupted === 'SIGINT' ? 130 : 143;
        return;
      }
      ctx.emit(globals, s, () => `stopped: ${statsLine(s)}\n`);
    });
}

/**
 * What an interrupted `worker --until-idle` says when it has stopped: "stopped cleanly" only when every lease was
 * released; else how many were not (they expire on their own). It said "the leases released" whatever happened
 * (review s41r).
 *
 * @example
 * ```ts
 * interruptedLine('SIGINT', worker.stats()); // 'SIGINT: interrupted before every shard was caught up; stopped cleanly …'
 * ```
 */
export function interruptedLine(
  signal: string,
  s: Pick<WorkerStats, 'leaseReleasesFailed' | 'errors'>,
): string {
  const head = `${signal}: interrupted before every shard was caught up;`;
  if ((s.leaseReleasesFailed ?? 0) === 0)
    return `${head} stopped cleanly (the batches in flight checkpointed, the leases released): run it again to go on`;
  return `${head} stopped, but ${plural(s.leaseReleasesFailed ?? 0, 'lease')} could not be released (see the warnings above): each expires on its own after the lease duration, and the next run takes its shard then. Nothing is lost: run it again to go on`;
}

/**
 * One line of worker progress.
 *
 * @example
 * ```ts
 * statsLine(worker.stats()); // 'records 1,234 (45.0/s) · iterator age 120 ms · shards 2 · workers 1 · dead letters 0 · errors 0'
 * ```
 */
export function statsLine(s: WorkerStats): string {
  return [
    `records ${s.records.toLocaleString('en-US')} (${s.recordsPerSecond.toFixed(1)}/s)`,
    `iterator age ${s.iteratorAgeMs ?? 0} ms`,
    `shards ${s.leasesHeld}`,
    `workers ${s.workers}`,
    // the worker's skips (too old, retries exhausted) and the records the handler found poison
    `dead letters ${s.deadLettered + s.apply.poison}`,
    `errors ${s.errors}`,
    ...(s.failingShards > 0 ? [failingPart(s)] : []),
  ].join(' · ');
}

/**
 * The progress line's part for failing shards; those waiting for Redis, or for DynamoDB to take a batch the buffer
 * took (`BUFFERED_BATCH_UNFINISHED`), hold their batches (never dead-lettered) and say so.
 */
function failingPart(s: WorkerStats): string {
  const count = (why: string) => s.shards.filter((x) => x.failing?.waiting === why).length;
  const forRedis = count('redis');
  const forDynamo = count('dynamodb');
  const parts = [
    ...(forRedis === 0 ? [] : [`${forRedis} waiting for Redis`]),
    ...(forDynamo === 0 ? [] : [`${forDynamo} waiting for DynamoDB to take a buffered batch`]),
  ];
  const waiting = parts.length === 0 ? '' : ` (${parts.join(', ')})`;
  return `FAILING ${plural(s.failingShards, 'shard')}${waiting}, ${plural(s.failedAttempts, 'failed attempt')}, last: ${s.lastError ?? '?'}`;
}

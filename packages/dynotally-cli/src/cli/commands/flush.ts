import type { Command } from 'commander';
import { DynamoDbDeadLetterSink, DynotallyError } from 'dynotally';
import type { FlushReport } from 'dynotally/redis';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import { connectRedis, loadRedisBuffer, redisUrlFlag } from '../config/redis.ts';
import type { CliContext } from '../context.ts';
import { countFlagIn, durationFlag, timerDurationFlag } from '../flags.ts';
import { plural } from '../output/plural.ts';
import { onInterrupt } from '../signals.ts';
import { flushLetterRetentionDays } from './flush-letter-retention.ts';
import { checkKeyTtl, DEFAULT_KEY_TTL } from './key-ttl-flag.ts';
import { waitReplicasFlags } from './wait-replicas-flag.ts';

const flagsSchema = z.object({
  redis: redisUrlFlag,
  grace: durationFlag.default(10_000),
  bucket: durationFlag.default(15 * 60_000),
  keyPrefix: z.string().min(1, 'a key prefix must not be empty').optional(),
  keyTtl: durationFlag.optional(),
  all: z.boolean().default(false),
  watch: z.boolean().default(false),
  every: timerDurationFlag.optional(),
  duration: timerDurationFlag.optional(),
  waitReplicas: countFlagIn(1, 1_000).optional(),
  waitTimeout: countFlagIn(1, 3_600_000).optional(),
});

/**
 * What `dynotally flush` reports (the flusher's {@link FlushReport} plus where it flushed).
 *
 * @example
 * ```ts
 * const out: FlushOutput = { redis: 'redis://127.0.0.1:6379', table: 'dynotally-aggregates', runs: 1, ...report };
 * ```
 */
export interface FlushOutput extends FlushReport {
  redis: string;
  table: string;
  /** Flush runs (1 without `--watch`). */
  runs: number;
}

/**
 * `dynotally flush`: moves the Redis buffer's closed buckets (`--all`: every bucket) to the aggregate table —
 * once (`runFlushOnce`), or every `--every` with `--watch` until Ctrl-C or `--duration`. Prints each bucket and
 * what it wrote (buckets, rows, write units); a Redis or DynamoDB failure exits non-zero with the fix, and
 * running it again is always safe. Rollups come from the config file (or the reference rollups), like `worker`.
 *
 * @example
 * ```ts
 * registerFlush(program, ctx); // dynotally flush --redis redis://127.0.0.1:6379 --endpoint http://127.0.0.1:8000
 * ```
 */
export function registerFlush(program: Command, ctx: CliContext): void {
  program
    .command('flush')
    .description("move the Redis buffer's closed buckets to the aggregate table (once, or --watch)")
    .option(
      '--redis <url>',
      'the Redis the buffered appliers write (env DYNOTALLY_REDIS_URL)',
      ctx.io.env.DYNOTALLY_REDIS_URL || undefined,
    )
    .option('--grace <d>', 'flush a bucket this long after it closes (writers with slow clocks)', '10s')
    .option(
      '--bucket <d>',
      "the appliers' bucket width (a shard rejoining from direct writes subtracts into it)",
      '15m',
    )
    .option('--key-prefix <prefix>', 'the buffer key prefix the appliers use (default dynotally:{buffer}:)')
    .option(
      '--key-ttl <d>',
      `expiry of the buffer's keys after their last write, as the appliers' (default ${DEFAULT_KEY_TTL}); at least --bucket + --grace (+ --every) + 24h`,
    )
    .option('--all', 'flush the open buckets too (e.g. before shutting the writers down for good)')
    .option('--watch', 'keep flushing on a timer until Ctrl-C or --duration')
    .option('--every <d>', 'with --watch: how often (default a third of --bucket, at most 1m)')
    .option('--duration <d>', 'with --watch: stop after this long')
    .option(
      '--wait-replicas <n>',
      'Redis with replicas: write DynamoDB only once n replicas hold the sealed buckets and rejoins (WAIT)',
    )
    .option('--wait-timeout <ms>', 'with --wait-replicas: how long Redis waits for them (default 1000)')
    .addHelpText(
      'after',
      `
Needs the ioredis package. The buckets, rows and write units flushed are printed; --json prints the report.

Examples:
  dynotally flush --redis redis://127.0.0.1:6379 --endpoint http://127.0.0.1:8000
  dynotally flush --redis redis://cache:6379 --table shop-aggregates --json
  dynotally flush --redis redis://cache:6379 --watch --every 30s
  dynotally flush --redis redis://cache:6379 --bucket 7d --key-ttl 9d   # give the appliers the same --key-ttl
  dynotally flush --redis redis://cache:6379 --wait-replicas 1          # a Redis with a replica that may be promoted`,
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema);
      if (!flags.watch && (flags.every !== undefined || flags.duration !== undefined)) {
        throw new DynotallyError(
          'CONFIG_INVALID',
          `flush: --every and --duration only apply with --watch: add --watch, or drop them for one flush (see 'dynotally flush --help')`,
          { details: { every: flags.every, duration: flags.duration } },
        );
      }
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals, { tables: ['aggregate', 'deadLetter'] });
      const { Redis, buffer } = await loadRedisBuffer('dynotally flush');
      const every = flags.every ?? Math.min(Math.max(1_000, Math.floor(flags.bucket / 3)), 60_000);
      // a bucket is flushed --grace after it closes, and with --watch up to --every later: its keys must be there
      checkKeyTtl(buffer, 'flush', flags.keyTtl, [
        ['--bucket', flags.bucket],
        ['--grace', flags.grace],
        ...(flags.watch ? ([['--every', every]] as const) : []),
      ]);
      const wait = waitReplicasFlags('flush', flags.waitReplicas, flags.waitTimeout);
      const redis = await connectRedis(Redis, flags.redis, { persistent: flags.watch });
      const clients = makeClients(settings);
      // Human progress goes to stdout; with --json it goes to stderr so stdout stays one JSON document.
      const line = (l: string): void => (globals.json ? ctx.io.stderr(`${l}\n`) : ctx.io.stdout(`${l}\n`));
      const options = {
        redis,
        client: clients.ddb,
        table: settings.tables.aggregate,
        rollups: settings.rollups,
        graceMs: flags.grace,
        bucketMs: flags.bucket,
        // kept (replayed, or as a dropped letter's tombstone) as long as a re-run of the flush may send it again
        deadLetter: new DynamoDbDeadLetterSink(
          clients.ddb,
          settings.tables.deadLetter,
          flushLetterRetentionDays(flags.keyTtl),
        ),
        ...(flags.keyPrefix === undefined ? {} : { keyPrefix: flags.keyPrefix }),
        ...(flags.keyTtl === undefined ? {} : { keyTtlMs: flags.keyTtl }),
        ...wait,
      };
      const output = (report: FlushReport, runs: number): FlushOutput => ({
        redis: flags.redis,
        table: settings.tables.aggregate,
        runs,
        ...report,
      });
      try {
        if (!flags.watch) {
          const report = await buffer.runFlushOnce({ ...options, all: flags.all, out: line });
          if (globals.json) ctx.emit(globals, output(report, 1), () => '');
          return;
        }
        // --watch: one flusher, a flush every interval (a failed one is printed and retried on the next)
        const flusher = buffer.createFlusher(options);
        const total = buffer.emptyFlushReport();
        let runs = 0;
        const interrupt = onInterrupt();
        const finished =
          flags.duration === undefined
            ? new Promise<never>(() => {})
            : new Promise<string>((r) => setTimeout(() => r('duration'), flags.duration).unref());
        const stop = Promise.race([finished, interrupt.signalled]);
        ctx.io.stderr(
          `flushing ${flags.redis} → ${settings.tables.aggregate} every ${every / 1000} s; Ctrl-C stops\n`,
        );
        let why: string | undefined;
        // --all: the first run that gets the lock flushes the open buckets too (one that found it taken did nothing)
        let all = flags.all;
        // what kept the open buckets from being flushed so far (with --all): the lock, or the run's error
        let unflushed: { locked: true } | { error: unknown } = { locked: true };
        try {
          while (why === undefined) {
            try {
              const r = await flusher.flushClosed({ all });
              runs += 1;
              addReport(total, r);
              if (r.buckets > 0) line(summary(r));
              if (r.skipped === 'locked') {
                line('another flusher holds the lock: nothing done this time');
                unflushed = { locked: true };
              } else all = false;
            } catch (e) {
              unflushed = { error: e };
              const coded = e as { code?: string; message?: string };
              line(
                `flush failed${coded.code ? ` [${coded.code}]` : ''}: ${coded.message ?? String(e)}; retrying in ${every / 1000} s`,
              );
            }
            let timer: NodeJS.Timeout | undefined;
            const pause = new Promise<undefined>((r) => {
              timer = setTimeout(() => r(undefined), every);
            });
            why = await Promise.race([stop, pause]);
            clearTimeout(timer);
          }
        } finally {
          interrupt.dispose();
        }
        ctx.io.stderr(`${why === 'duration' ? 'duration reached' : `${why} received`}: stopped\n`);
        ctx.emit(globals, output(total, runs), () => `${plural(runs, 'run')}; in all ${summary(total)}\n`);
        // --all and no run flushed the open buckets: never a success with them left in Redis, as a one-shot flush
        // --all fails (FLUSH_LOCKED, or the last run's error) rather than exit 0 before a hand-over (review s40y)
        if (all) {
          if ('error' in unflushed) throw unflushed.error;
          throw new DynotallyError(
            'FLUSH_LOCKED',
            `flush --watch --all stopped (${why}) before any run got the Redis buffer's flush lock: the open buckets were not flushed and are still in Redis. Run dynotally flush --all once the other flusher is done`,
            { details: { runs } },
          );
        }
      } finally {
        redis.disconnect();
        clients.destroy();
      }
    });
}

function addReport(total: FlushReport, r: FlushReport): void {
  total.seal = Math.max(total.seal, r.seal);
  total.buckets += r.buckets;
  total.rows += r.rows;
  total.rowsWritten += r.rowsWritten;
  total.rowsAlreadyApplied += r.rowsAlreadyApplied;
  total.rowsExpired += r.rowsExpired;
  total.rowsDeadLettered += r.rowsDeadLettered;
  total.writeUnits += r.writeUnits;
  total.retries += r.retries;
  total.fencesRejoined += r.fencesRejoined;
  total.durationMs += r.durationMs;
}

function summary(r: FlushReport): string {
  return `flushed ${plural(r.buckets, 'bucket')}: ${plural(r.rowsWritten, 'row')} written, ${r.rowsAlreadyApplied} already applied, ${r.rowsExpired} expired, ${plural(r.writeUnits, 'write unit')}${r.rowsDeadLettered > 0 ? `, ${plural(r.rowsDeadLettered, 'row')} refused by DynamoDB sent to the dead-letter table (dynotally dead-letters list)` : ''}`;
}

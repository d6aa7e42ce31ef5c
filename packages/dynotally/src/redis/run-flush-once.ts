import { setTimeout as sleep } from 'node:timers/promises';
import { DynotallyError } from '../errors/index.ts';
import { createFlusher, type FlusherOptions, type FlushReport, type FlushStep } from './flusher.ts';

/** The flusher's default lease (`FlusherOptions.lockMs`). */
const DEFAULT_LOCK_MS = 60_000;

/**
 * Options of {@link runFlushOnce}: the flusher's, plus where progress lines go.
 *
 * @example
 * ```ts
 * const options: RunFlushOnceOptions = { redis, client, table: 'aggregates', rollups, out: (l) => process.stderr.write(`${l}\n`) };
 * ```
 */
export interface RunFlushOnceOptions extends FlusherOptions {
  /**
   * Flush the open buckets too, e.g. before a shutdown or a hand-over. Such a flush must leave nothing behind, so
   * when another flusher holds the lock it waits for it (tried again every second, or a tenth of `lockMs`, for up to
   * twice `lockMs`: a flusher killed mid-flush holds it at most `lockMs`), and rejects with `FLUSH_LOCKED` if it
   * never gets it. Without `all` a locked flush resolves with `skipped: 'locked'`, nothing done.
   */
  all?: boolean;
  /** Receives one human-readable progress line per bucket and a summary; default: nothing is printed. */
  out?: (line: string) => void;
}

/**
 * One flush of every closed bucket with progress output: what `dynotally flush` runs. Resolves with the report;
 * rejects (with a coded DynotallyError) when Redis or DynamoDB fail — running it again is always safe.
 *
 * @throws {DynotallyError} `FLUSH_LOCKED` with `all` when another flusher held the lock for as long as it waited.
 *
 * @example
 * ```ts
 * const report = await runFlushOnce({ redis, client, table: 'aggregates', rollups, out: console.log });
 * process.exitCode = report.skipped ? 3 : 0;
 * ```
 */
export async function runFlushOnce(options: RunFlushOnceOptions): Promise<FlushReport> {
  const out = options.out ?? (() => {});
  let started = Date.now();
  let groups = 0;
  const onStep = async (s: FlushStep): Promise<void> => {
    if (s.step === 'sealed') out(`sealed buckets before ${new Date(s.seal).toISOString()}`);
    else if (s.step === 'bucket-start') {
      started = Date.now();
      groups = s.groups;
    } else if (s.step === 'rows-written') {
      out(
        `bucket ${new Date(s.bucket).toISOString()}: ${s.rows} rows of ${groups} groups written in ${Date.now() - started} ms`,
      );
    }
    await options.onStep?.(s);
  };
  const flusher = createFlusher({ ...options, onStep });
  let report = await flusher.flushClosed({ all: options.all ?? false });
  if (report.skipped === 'locked' && options.all === true) {
    // everything must be flushed (a hand-over runs `flush --all && buffer forget`): wait for the lock rather than
    // succeed with the open buckets left in Redis (review s40r)
    const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
    const every = Math.max(10, Math.min(1_000, Math.floor(lockMs / 10)));
    const until = Date.now() + 2 * lockMs;
    out(
      `another flusher holds the lock: waiting for it (up to ${Math.ceil((2 * lockMs) / 1000)} s) to flush everything`,
    );
    while (report.skipped === 'locked' && Date.now() < until) {
      await sleep(every);
      report = await flusher.flushClosed({ all: true });
    }
    if (report.skipped === 'locked') {
      throw new DynotallyError(
        'FLUSH_LOCKED',
        `another flusher kept the Redis buffer's flush lock for ${2 * lockMs} ms: nothing was flushed, and the open buckets are still in Redis. Run the flush of everything again once it is done (stop the writers and their flushers first, for a hand-over)`,
        { details: { waitedMs: 2 * lockMs } },
      );
    }
  }
  if (report.skipped === 'locked') out('another flusher holds the lock: nothing done (run again later)');
  else {
    out(
      `flushed ${count(report.buckets, 'bucket')}: ${count(report.rowsWritten, 'row')} written, ${report.rowsAlreadyApplied} already applied, ` +
        `${report.rowsExpired} expired, ${count(report.writeUnits, 'write unit')}, ${count(report.fencesRejoined, 'shard')} rejoined, ${report.durationMs} ms`,
    );
  }
  return report;
}

/** `1 bucket`, `2 buckets`: a count and its noun, singular for one. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

import { createFlusher, type FlusherOptions, type FlushReport, type FlushStep } from './flusher.ts';

/**
 * Options of {@link runFlushOnce}: the flusher's, plus where progress lines go.
 *
 * @example
 * ```ts
 * const options: RunFlushOnceOptions = { redis, client, table: 'aggregates', rollups, out: (l) => process.stderr.write(`${l}\n`) };
 * ```
 */
export interface RunFlushOnceOptions extends FlusherOptions {
  /** Flush the current (open) bucket too, e.g. before a shutdown. */
  all?: boolean;
  /** Receives one human-readable progress line per bucket and a summary; default: nothing is printed. */
  out?: (line: string) => void;
}

/**
 * One flush of every closed bucket with progress output: what `dynotally flush` runs. Resolves with the report;
 * rejects (with a coded DynotallyError) when Redis or DynamoDB fail — running it again is always safe.
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
  const report = await createFlusher({ ...options, onStep }).flushClosed({ all: options.all ?? false });
  if (report.skipped === 'locked') out('another flusher holds the lock: nothing done (run again later)');
  else {
    out(
      `flushed ${report.buckets} bucket(s): ${report.rowsWritten} rows written, ${report.rowsAlreadyApplied} already applied, ` +
        `${report.rowsExpired} expired, ${report.writeUnits} write units, ${report.fencesRejoined} shard(s) rejoined, ${report.durationMs} ms`,
    );
  }
  return report;
}

import type { Rollup } from 'dynotally';

/**
 * One kind of aggregate row a buffered rollup writes, with the granularities it carries and the width of the
 * Redis buckets it collects in before a flush moves it to DynamoDB.
 *
 * @example
 * ```ts
 * const entry: FlushedRow = { row: 'month', carries: ['day', 'month'], bucketMs: 3_600_000 };
 * ```
 */
export interface FlushedRow {
  /** The row kind (the granularity of its sort key): `month`, `all` … */
  row: string;
  /** The granularities stored in that row (days are attributes of the month row). */
  carries: string[];
  /** Width of the Redis buckets this row kind collects in (`rowBucketMs[row] ?? bucketMs`). */
  bucketMs: number;
}

/**
 * The flush buckets of a rollup's rows under a buffered applier's widths, the way the applier picks them
 * (`rowBucketMs[<row kind>] ?? bucketMs`): which rows reach DynamoDB how late.
 *
 * @example
 * ```ts
 * flushSchedule(storeMetrics, { bucketMs: 900_000, rowBucketMs: { month: 3_600_000, all: 3_600_000 } });
 * // [{ row: 'month', carries: ['day', 'month'], bucketMs: 3600000 }, { row: 'all', carries: ['year', 'all'], bucketMs: 3600000 }]
 * ```
 */
export function flushSchedule(
  rollup: Rollup,
  widths: { bucketMs: number; rowBucketMs?: Readonly<Partial<Record<string, number>>> | undefined },
): FlushedRow[] {
  return rollup.compiled.rows.map((r) => ({
    row: r.row.kind,
    carries: r.placements.map((p) => p.granularity.kind),
    bucketMs: widths.rowBucketMs?.[r.row.kind] ?? widths.bucketMs,
  }));
}

/**
 * In words, per bucket width: which rows collect in Redis buckets of that width, and that each bucket is written
 * to DynamoDB once it has closed (looked for every `flushEveryMs`, after `graceMs`). So the first screen says
 * "1-hour buckets" for rows that flush hourly instead of the flusher's tick.
 *
 * @example
 * ```ts
 * describeFlushSchedule(flushSchedule(storeMetrics, widths), 15_000);
 * // 'month rows (day, month) and all-time rows (year, all) count in 1-hour buckets, each written to DynamoDB after it closes (checked every 15 s)'
 * ```
 */
export function describeFlushSchedule(rows: readonly FlushedRow[], flushEveryMs: number): string {
  const byWidth = new Map<number, FlushedRow[]>();
  for (const r of rows) byWidth.set(r.bucketMs, [...(byWidth.get(r.bucketMs) ?? []), r]);
  const parts = [...byWidth]
    .sort(([a], [b]) => a - b)
    .map(([width, rs]) => `${listOf(rs.map(rowName))} count in ${span(width)} buckets`);
  return `${listOf(parts)}, each written to DynamoDB after it closes (checked every ${span(flushEveryMs, true)})`;
}

function rowName(r: FlushedRow): string {
  return `${r.row === 'all' ? 'all-time' : r.row} rows (${r.carries.join(', ')})`;
}

function listOf(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** `3600000` → `1-hour`, `900000` → `15-minute`, `20000` → `20-second` (or `15 s`, `1 h` with `short`). */
function span(ms: number, short = false): string {
  const [n, unit, abbr] =
    ms % 3_600_000 === 0
      ? [ms / 3_600_000, 'hour', 'h']
      : ms % 60_000 === 0
        ? [ms / 60_000, 'minute', 'min']
        : [ms / 1000, 'second', 's'];
  return short ? `${n} ${abbr}` : `${n}-${unit}`;
}

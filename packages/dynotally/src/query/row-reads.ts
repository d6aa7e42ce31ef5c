import type { CompiledRowKind } from '../definition/index.ts';
import type { Bucket } from '../time/index.ts';
import type { CellLocation } from './cell-location.ts';

/**
 * One aggregate row to read (`sk` = `bucket.label`) and the attributes needed from it.
 *
 * @example
 * ```ts
 * // { kind: hourRows, bucket: H2026-11-22T13:00, attrs: Set { 'jobs_0', …, 'jobs_5' } }
 * ```
 */
export interface RowRead {
  readonly kind: CompiledRowKind;
  readonly bucket: Bucket;
  readonly attrs: ReadonlySet<string>;
}

/**
 * Consecutive rows of one kind, read by one `Query` (`sk BETWEEN first AND last`) — or by key when it is a
 * single row.
 *
 * @example
 * ```ts
 * run.rows.map((b) => b.label); // ['H2026-11-21T13:00', …, 'H2026-11-22T13:00'] (25 rows)
 * ```
 */
export interface RowRun {
  readonly kind: CompiledRowKind;
  readonly rows: readonly Bucket[];
  /** Union of the attributes needed from the run's rows, sorted. */
  readonly attrs: readonly string[];
  /** The attributes needed from each row, by label. */
  readonly perRow: ReadonlyMap<string, readonly string[]>;
}

/**
 * The distinct rows holding some cells, with the attributes needed from each, ordered by row kind (fine
 * first) and time.
 *
 * @example
 * ```ts
 * rowReads(cells).length; // 25 for a rolling 24 h of S0
 * ```
 */
export function rowReads(cells: Iterable<CellLocation>): RowRead[] {
  const byLabel = new Map<string, { kind: CompiledRowKind; bucket: Bucket; attrs: Set<string> }>();
  for (const cell of cells) {
    let r = byLabel.get(cell.row.label);
    if (r === undefined) {
      r = { kind: cell.kind, bucket: cell.row, attrs: new Set() };
      byLabel.set(cell.row.label, r);
    }
    r.attrs.add(cell.attr);
    if (cell.timeAttr !== undefined) r.attrs.add(cell.timeAttr);
  }
  // each row kind has its own granularity, so (rank, start) orders rows totally
  return [...byLabel.values()].sort((a, b) => rank(a.kind) - rank(b.kind) || a.bucket.start - b.bucket.start);
}

function rank(kind: CompiledRowKind): number {
  switch (kind.row.kind) {
    case 'second':
      return 0;
    case 'minute':
      return 1;
    case 'nminute':
      return 2;
    case 'hour':
      return 3;
    case 'day':
      return 4;
    case 'week':
      return 5;
    case 'month':
      return 6;
    case 'year':
      return 7;
    default:
      return 8;
  }
}

/**
 * Cuts sorted row reads into runs of adjacent rows of the same kind (a row's bucket ends where the next
 * starts), so each run is one contiguous key range.
 *
 * @example
 * ```ts
 * rowRuns(rowReads(cells)).length; // 1 for S0's rolling 24 h; 1 for S4's last 30 days
 * ```
 */
export function rowRuns(reads: readonly RowRead[]): RowRun[] {
  const runs: RowRun[] = [];
  let rows: Bucket[] = [];
  let attrs = new Set<string>();
  let perRow = new Map<string, readonly string[]>();
  let kind: CompiledRowKind | undefined;
  const flush = () => {
    if (kind !== undefined && rows.length > 0) runs.push({ kind, rows, attrs: [...attrs].sort(), perRow });
    rows = [];
    attrs = new Set();
    perRow = new Map();
  };
  for (const r of reads) {
    const prev = rows[rows.length - 1];
    if (r.kind !== kind || prev === undefined || prev.end !== r.bucket.start) {
      flush();
      kind = r.kind;
    }
    rows.push(r.bucket);
    for (const a of r.attrs) attrs.add(a);
    perRow.set(r.bucket.label, [...r.attrs].sort());
  }
  flush();
  return runs;
}

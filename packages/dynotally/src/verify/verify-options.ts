import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RollupLike } from '../apply/index.ts';
import type { GroupValue } from '../definition/index.ts';

/**
 * Options of {@link verify}.
 *
 * @example
 * ```ts
 * const options: VerifyOptions = { client, source: 'orders', table: 'aggregates', rollup: storeMetrics,
 *   sample: 0.01 };
 * ```
 */
export interface VerifyOptions {
  client: DynamoDBClient;
  /** The source table, scanned with consistent reads. */
  source: string;
  /** The aggregate table. */
  table: string;
  /** The definition to check: the serving version's definition (or the one of `version`). */
  rollup: RollupLike;
  /** Check this version of the definition instead of the serving one (its own version or a rebuild). */
  version?: number | undefined;
  /**
   * The share of groups to check, from 0 (exclusive) to 1 (default 1: every group). Groups are chosen by a
   * stable hash of their key, so the same sample is checked every time and in every version.
   */
  sample?: number | undefined;
  /** Check only these groups (values by group attribute, as in queries); overrides `sample`. */
  groups?: ReadonlyArray<Readonly<Record<string, GroupValue>>> | undefined;
  /** Parallel scan segments of the source, and of the stored rows when they are scanned (default 4). */
  segments?: number | undefined;
  /**
   * Segments this process scans at once (default 8), as `runBackfill`'s option: the others wait their turn, in
   * order. Each segment in flight holds a Scan page (up to 1 MB) and its folded rows, so this bounds the process's
   * memory and its Scans in flight whatever `segments` is. A whole number from 1 to 1,000 (else `CONFIG_INVALID`).
   */
  segmentConcurrency?: number | undefined;
  /**
   * How many times a drifted cell is checked (default 2): a cell is reported only if it differs in every pass.
   * Each pass after the first re-scans the source for the drifted groups only and re-reads their rows.
   */
  passes?: number | undefined;
  /**
   * The wait between passes, in ms (default 30 s): it must exceed how far the stream consumer lags behind the
   * source (Lambda's iterator age, the worker's lag), so the rows read in the next pass hold every change the
   * previous pass scanned. Ignored when `waitForStream` is given.
   */
  settleMs?: number | undefined;
  /**
   * Resolves once the stream consumer has applied every change made up to `scanEndedAt` (ms), for callers
   * that can see the consumer's progress (e.g. a worker's checkpoints). Replaces the `settleMs` wait.
   */
  waitForStream?: ((scanEndedAt: number) => Promise<void>) | undefined;
  /** Called after each pass with its number and how many cells still differ. */
  onPass?: ((pass: number, drifted: number) => void) | undefined;
  /**
   * Called as the work goes on, as `runBackfill`'s `onProgress`: at the start of each phase of a pass, after each
   * page of its reads (a Scan or Query page, up to 1 MB), and at its end. Its counts only grow within a pass.
   */
  onProgress?: ((p: VerifyProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
}

/**
 * Where a {@link verify} is. A pass reads the source (`source`: a consistent Scan folded into the rows it should
 * give, of the selected groups), then the version's stored rows (`stored`: a Scan under its prefix, or one Query
 * per group with `groups` and in the passes after the first), each compared as it is read, then compares the
 * recomputed rows no stored row matched (`compare`: rows missing from the table). The counts are the pass's own
 * (a later pass reads the drifted groups only) and only grow within it.
 *
 * @example
 * ```ts
 * onProgress: (p) => console.error(`pass ${p.pass} ${p.phase}: ${p.scanned} items, ${p.storedRows} rows, segments ${p.segmentsDone}/${p.segments}`)
 * ```
 */
export interface VerifyProgress {
  /** The pass (1 for the first). */
  pass: number;
  passes: number;
  phase: 'source' | 'stored' | 'compare';
  /** Source items read in this pass. */
  scanned: number;
  /** Rows recomputed from them (of the selected groups). */
  expectedRows: number;
  /** Stored rows read in this pass (of the selected groups). */
  storedRows: number;
  /** Rows compared in this pass: each stored row as it is read, then the missing ones (rows past their TTL skipped). */
  compared: number;
  /** Cells found drifted in this pass so far (a later pass may find them settled). */
  drifted: number;
  /**
   * How the phase reads: `scan` (a parallel Scan: `segmentsDone` of `segments`), `query` (the stored rows of named
   * groups, one Query each: `segmentsDone` counts the groups done, of `segments` groups), or `none` (`compare`
   * reads nothing: 0 of 0 until it ends, then 1 of 1).
   */
  reads: 'scan' | 'query' | 'none';
  /** In the current phase: the Scan segments done of `segments` (or the groups, as `reads` says). */
  segmentsDone: number;
  segments: number;
  /** Read units of this pass so far, where DynamoDB reports them. */
  readUnits: number;
  /**
   * The source table's item count as DynamoDB reports it (updated about every 6 hours on AWS; 0 for a fresh table):
   * what the `source` phase's scan counts towards, every pass scanning the whole source, as `runBackfill`'s
   * `estimatedItems`.
   */
  estimatedItems: number;
  /** In the `source` phase: items scanned per second since the phase started (0 in the other phases). */
  itemsPerSecond: number;
  /**
   * In the `source` phase, at that rate: the time left to scan `estimatedItems − scanned` items (0 before a rate is
   * known, and in the other phases). An estimate: the item count is DynamoDB's approximate one.
   */
  etaMs: number;
}

/**
 * One stored value that differs from the value recomputed from the source, in every pass.
 *
 * @example
 * ```ts
 * // { group: { storeId: 's-1' }, groupValues: ['s-1'], bucket: 'D2026-11-03', granularity: 'day', measure: 'orders',
 * //   kind: 'count', expected: '12', actual: '13', row: { pk: 'store#ss-1', sk: 'M2026-11' }, attr: 'orders_3' }
 * ```
 */
export interface DriftCell {
  /**
   * The group, by attribute (or a groupBy function's declared names); undefined for a groupBy function without
   * declared names, whose names are not in the row key: `groupValues` names it (as top()'s entries).
   */
  group: Record<string, GroupValue> | undefined;
  /** The group's values in key order (for a groupBy function: in sorted attribute-name order). */
  groupValues: readonly GroupValue[];
  granularity: string;
  /** The bucket's label (`D2026-11-03`, `M2026-11`, `ALL` …). */
  bucket: string;
  measure: string;
  kind: string;
  /** Recomputed from the source: an exact decimal string (`value@time-ms` for `last`); null when none. */
  expected: string | null;
  /** Stored in the aggregate table, in the same form; null when the row or attribute is missing. */
  actual: string | null;
  /** Where the value is stored. */
  row: { pk: string; sk: string };
  attr: string;
}

/**
 * Something in the source that cannot be counted, so that verify cannot recompute what it touches: a source item
 * whose values the fold refuses (the stream and a backfill dead-letter it: `VALUE_INVALID`, …; `item` is its
 * key), or a row whose recomputed sum passes DynamoDB's 38 significant digits (`NUMBER_UNREPRESENTABLE`: the
 * store refuses one of its items, which was dead-lettered, and which one depends on the order they came in;
 * `row`, `attr` and the exact `value`). The cells of such a row are not compared (counted in `unverified`).
 *
 * @example
 * ```ts
 * // { code: 'VALUE_INVALID', reason: "…", item: { id: { S: 'o-7' } } }
 * // { code: 'NUMBER_UNREPRESENTABLE', reason: '…', row: { pk: 'amt#ss', sk: 'ALL' }, attr: 'total', value: '1…1' }
 * ```
 */
export interface UncountableSource {
  code: string;
  reason: string;
  item?: Record<string, AttributeValue> | undefined;
  row?: { pk: string; sk: string } | undefined;
  attr?: string | undefined;
  value?: string | undefined;
}

/**
 * What {@link verify} found.
 *
 * @example
 * ```ts
 * const report = await verify(options);
 * if (report.drift.length > 0) console.table(report.drift);
 * ```
 */
export interface VerifyReport {
  rollup: string;
  /** The version checked, and its key prefix. */
  version: number;
  prefix: string;
  /** The share of groups checked (1 with `groups`). */
  sample: number;
  /** Groups, rows and cells compared in the first pass. */
  groups: number;
  rows: number;
  cells: number;
  /** Cells that differ in every pass. */
  drift: DriftCell[];
  /** Cells that differed in an earlier pass and agreed later: changes that were in flight. */
  settled: number;
  /**
   * Cells of the first pass that could not be checked: the sums of a rollup with `ttlDeletes: 'ignore'`, whose
   * stored history holds items DynamoDB's TTL deleted, which no scan sees (its counts are checked as lower
   * bounds: stored ≥ recomputed), and the counts and sums of groups with `untimed` items.
   */
  unverified: number;
  /**
   * What the first pass found in the source that cannot be counted (the first 100: `uncountableTotal` says how
   * many), reported rather than taken for drift.
   */
  uncountable: UncountableSource[];
  uncountableTotal: number;
  /**
   * Source items of the rollup without its time attribute (first pass): the stream counted them at their records'
   * times, which no scan knows, so the counts and sums of their groups are not compared (in `unverified`). Items
   * like these that were deleted leave no trace in a scan: their insert and delete stay in two different buckets,
   * which verify can only report as drift.
   */
  untimed: number;
  passes: number;
  /** Source items read (every pass). */
  scannedItems: number;
  /** Read units of the scans and queries, where DynamoDB reports them. */
  readUnits: number;
  durationMs: number;
}

import type { CompiledRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { labelKind } from '../layout/explode-row.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { isZeroNum, type Num, parseNum } from '../numbers/index.ts';
import { leaderboardKey, type RowWrite, rowTtl } from '../plan/index.ts';
import { parseCellField } from './keys.ts';
import { rankedDelta } from './ranked-delta.ts';

/**
 * The cells of one row a flusher's rollup has no row kind for (its granularities or layout changed while they were
 * buffered): their deltas, attributes sorted, for a dead letter.
 *
 * @example
 * ```ts
 * const u: UnplacedRow = { rollup: 'orders', pk: 'orders#sg', sk: 'M2026-11', adds: [['n_22', parseNum('1')]] };
 * ```
 */
export interface UnplacedRow {
  readonly rollup: string;
  readonly pk: string;
  readonly sk: string;
  readonly adds: ReadonlyArray<readonly [string, Num]>;
  /**
   * Why the row cannot be placed when its kind exists: its label names no bucket of the rollup's calendar (the
   * rollup's time zone changed while the cells were buffered). Absent: no row kind for the label.
   */
  readonly problem?: string;
  /**
   * The flusher was given no rollup of this name (it was removed from the configuration while its cells were
   * buffered): every row of the group comes back unplaced.
   */
  readonly removed?: true;
  /**
   * Cells of the row's flush bucket that the row in DynamoDB already holds, not in `adds`: a flusher on a newer
   * configuration wrote the row's first parts and stopped (redis/held-cells.ts `unheldCells`). They go into the letter
   * as its delta's `written`, so that a replay placing the row can still write the leaderboard entry the last part
   * would have carried (its measure may be among them).
   */
  readonly written?: ReadonlyArray<readonly [string, Num]>;
}

/**
 * Where the flusher puts the cells of row (`pk`, `sk`): its rollup, row kind and the end of the bucket its label
 * names; or, for a row it cannot place, why (the fields of an {@link UnplacedRow}): a rollup not given (`removed`),
 * no row kind for the label (the rollup's granularities changed while the cells were buffered), or a label that is
 * no bucket of the rollup's calendar (its time zone changed: `problem`). The flusher dead-letters such a row whole
 * ({@link rowsFromCells}), and a live read's cut of a bucket (`flushWrites`, redis/live-parts.ts) leaves it out by
 * this same decision, so a read never adds what the flush will not store (review s44z).
 *
 * @example
 * ```ts
 * const place = placeRow(byName, 'orders#sg', 'H2026-11-22T12:00');
 * if (!('kind' in place)) console.log(place.problem ?? (place.removed ? 'rollup removed' : 'row kind gone'));
 * ```
 */
export function placeRow(
  rollups: ReadonlyMap<string, CompiledRollup>,
  pk: string,
  sk: string,
):
  | { readonly rollup: CompiledRollup; readonly kind: RowKindOf; readonly bucketEnd: number }
  | Pick<UnplacedRow, 'removed' | 'problem'> {
  const c = rollups.get(parsePartitionKey(pk).rollup);
  // a rollup removed while its cells were buffered: thrown, it failed the bucket on every run and every later
  // bucket of every rollup behind it until its keys expired, taking the counts with them (review s41r)
  if (c === undefined) return { removed: true };
  const kind = c.rows.find((r) => r.row.id === labelKind(sk));
  if (kind === undefined) return {};
  // a label of another calendar (the rollup's time zone changed while the cells were buffered: hour labels are
  // UTC instants, which a +05:30 zone's hours never start at) is set aside too, never thrown: a throw here failed
  // the bucket on every run, and every later bucket behind it (review s40r)
  try {
    return { rollup: c, kind, bucketEnd: c.calendar.bucketByLabel(sk).end };
  } catch (e) {
    if (!isDynotallyError(e, 'GRANULARITY_INVALID')) throw e;
    return { problem: e.message };
  }
}

/** A row kind of a compiled rollup. */
type RowKindOf = CompiledRollup['rows'][number];

/**
 * Rebuilds the row writes of one partition key's cells in a flushed bucket, exactly as `planWrites` would have
 * made them: attributes sorted, TTL from the row bucket's end plus its kind's retention, the leaderboard delta
 * of ranked rows. Rows already past retention at `now` are dropped (a late delta never resurrects them). Cells of a
 * row the rollup has no kind for (its granularities changed while they were buffered), or whose label is no bucket
 * of its calendar (its time zone changed), come back in `unplaced`, for
 * the flusher to dead-letter: they never block the flush. So do all the cells of a partition key whose rollup is not
 * given (removed from the configuration while they were buffered; `removed` set).
 *
 * @example
 * ```ts
 * const { rows } = rowsFromCells(byName, 'store#ss-1', { 'M2026-11|orders': '3', 'M2026-11|orders_22': '3' }, Date.now());
 * ```
 */
export function rowsFromCells(
  rollups: ReadonlyMap<string, CompiledRollup>,
  pk: string,
  cells: Readonly<Record<string, string>>,
  now: number,
): { rows: RowWrite[]; expired: number; unplaced: UnplacedRow[] } {
  const { rollup: name } = parsePartitionKey(pk);
  const bySk = new Map<string, Array<readonly [string, Num]>>();
  for (const field in cells) {
    const { sk, attr } = parseCellField(field);
    const value = parseNum(cells[field] as string);
    if (isZeroNum(value)) continue;
    let adds = bySk.get(sk);
    if (adds === undefined) {
      adds = [];
      bySk.set(sk, adds);
    }
    adds.push([attr, value]);
  }
  const rows: RowWrite[] = [];
  const unplaced: UnplacedRow[] = [];
  let expired = 0;
  for (const [sk, adds] of bySk) {
    adds.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const place = placeRow(rollups, pk, sk);
    if (!('kind' in place)) {
      unplaced.push({ rollup: name, pk, sk, adds, ...place });
      continue;
    }
    const { kind, bucketEnd } = place;
    const ttl = rowTtl({ kind, bucketEnd });
    if (ttl !== undefined && ttl * 1000 <= now) {
      expired++;
      continue;
    }
    // the same test of "ranked" as a live read's cut of the bucket (`flushWrites`)
    const delta = rankedDelta(place.rollup, kind, adds);
    const leaderboard: RowWrite['leaderboard'] =
      delta === undefined || place.rollup.leaderboard === undefined
        ? undefined
        : { key: leaderboardKey(name, sk, pk, place.rollup.leaderboard.shards), delta };
    rows.push({ rollup: name, pk, sk, adds, ttl, leaderboard, firstSeq: '', lastSeq: '', lastApproxMs: 0 });
  }
  return { rows, expired, unplaced };
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isDynotallyError } from '../errors/index.ts';
import { addNum, type Num, parseNum, toDynamoN } from '../numbers/index.ts';

/**
 * Counted but not yet flushed deltas, read in one atomic snapshot, in the aggregate table's own terms: per
 * row (`pk`, `sk`), the attribute deltas (`orders`, `orders_22`, `lbv` …) the flush will `ADD` to it.
 * A flush marks each row it has written (the source's `markerAttribute`); `pending` returns only the deltas
 * that the row, as read with that marker, does not hold yet — so every bucket is counted once, from the
 * buffer or from DynamoDB, also while a flush is in progress.
 *
 * @example
 * ```ts
 * const live = await source.read(['store#ss-1']);
 * live.pending('store#ss-1', 'M2026-11', item?._fb?.S); // Map { 'orders' => 3, 'orders_22' => 3 }
 * ```
 */
export interface LiveSnapshot {
  /** Partition keys with live deltas. */
  pks(): readonly string[];
  /** Sort keys of `pk` with live deltas (rows that may not exist in DynamoDB yet). */
  sortKeys(pk: string): readonly string[];
  /** The deltas to add to row (`pk`, `sk`) as read with flush marker `marker` (undefined: no row or no marker). */
  pending(pk: string, sk: string, marker: string | undefined): ReadonlyMap<string, Num>;
  /**
   * The same deltas write by write, in the order a flush writes them (oldest first), for a source whose flush
   * writes each bucket's row on its own (a row too wide for one write: each of its parts on its own): DynamoDB
   * refuses one whose sum would pass 38 significant digits, and the flush dead-letters that write (`ROW_REJECTED`),
   * so a read leaves it out as well. Optional: without it a row is merged with `pending`'s sums, and one that does
   * not fit is `NUMBER_OUT_OF_RANGE`.
   */
  pendingByBucket?(pk: string, sk: string, marker: string | undefined): readonly ReadonlyMap<string, Num>[];
}

/**
 * A write buffer the query client merges into reads — the seam for the Redis buffer (`createRedisLiveSource`
 * in `dynotally/redis` implements it). Only additive measures (count, sum) and leaderboard values are
 * buffered; min, max and last are written to DynamoDB directly.
 *
 * The query client takes the snapshot BEFORE it reads DynamoDB, projects `markerAttribute` on every row it
 * reads, and adds `pending(pk, sk, marker)` to each row (rows missing in DynamoDB count as empty), then
 * evaluates the merged rows exactly as stored ones. For `top`, `readRanked(rollup, bucketLabel)` gives every
 * group's live delta of the ranked value (`lbv`); each such group is re-ranked with its stored row.
 *
 * @example
 * ```ts
 * import { createQueryClient } from 'dynotally';
 * import { createRedisLiveSource } from 'dynotally/redis';
 * const query = createQueryClient({ client, table: 'aggregates', rollups: [storeMetrics],
 *   liveSource: createRedisLiveSource({ redis, rollups: [storeMetrics] }) });
 * ```
 */
export interface LiveSource {
  /** The row attribute holding a flush's marker; the query client projects it. */
  readonly markerAttribute: string;
  /** Live deltas of these partition keys. */
  read(pks: readonly string[]): Promise<LiveSnapshot>;
  /** Live deltas of one leaderboard bucket (`sk` = its label) for every group: `{ <storeAs>: d, lbv: d }`. */
  readRanked(rollup: string, sk: string): Promise<LiveSnapshot>;
}

const EMPTY: LiveSnapshot = Object.freeze({
  pks: () => [],
  sortKeys: () => [],
  pending: () => new Map<string, Num>(),
});

/**
 * The default: nothing is buffered, everything is in DynamoDB (the client then sends no extra projection).
 *
 * @example
 * ```ts
 * (await noLiveSource.read(['jobs#sc-1'])).pks(); // []
 * ```
 */
export const noLiveSource: LiveSource = Object.freeze({
  markerAttribute: '',
  read: async () => EMPTY,
  readRanked: async () => EMPTY,
});

/**
 * A stored row with the live deltas added exactly (`undefined` and no deltas stays `undefined`). Returns the
 * merged row and how many attributes changed. With a snapshot that gives its deltas bucket by bucket
 * ({@link LiveSnapshot.pendingByBucket}) a bucket whose row would not fit a DynamoDB number (38 significant
 * digits, magnitude 1e-130 to below 1e126) is left out, as the flush will dead-letter it (`ROW_REJECTED`) and
 * the row will stay as it is: the read reports what will be stored (review s42q).
 *
 * @example
 * ```ts
 * const { item } = mergeLive(stored, 'store#ss-1', 'M2026-11', snapshot, '_fb');
 * ```
 */
export function mergeLive(
  item: Readonly<Record<string, AttributeValue>> | undefined,
  pk: string,
  sk: string,
  snapshot: LiveSnapshot,
  markerAttribute: string,
): { item: Record<string, AttributeValue> | undefined; merged: number } {
  const marker = item?.[markerAttribute]?.S;
  const byBucket = snapshot.pendingByBucket?.(pk, sk, marker);
  const out: Record<string, AttributeValue> =
    item === undefined ? { pk: { S: pk }, sk: { S: sk } } : { ...item };
  const merged =
    byBucket === undefined
      ? addPending(out, snapshot.pending(pk, sk, marker))
      : addPendingBuckets(out, byBucket);
  if (merged === 0) return { item: item === undefined ? undefined : { ...item }, merged: 0 };
  return { item: out, merged };
}

/**
 * Adds a row's pending deltas to it in place, exactly: `NUMBER_OUT_OF_RANGE` when a sum does not fit a DynamoDB
 * number. Returns how many attributes changed.
 *
 * @example
 * ```ts
 * addPending(row, snapshot.pending(pk, sk, row._fb?.S));
 * ```
 */
export function addPending(row: Record<string, AttributeValue>, pending: ReadonlyMap<string, Num>): number {
  for (const [attr, delta] of pending) {
    const cur = row[attr]?.N;
    row[attr] = { N: toDynamoN(cur === undefined ? delta : addNum(parseNum(cur), delta)) };
  }
  return pending.size;
}

/**
 * Adds a row's pending deltas to it in place write by write ({@link LiveSnapshot.pendingByBucket}: each bucket's row,
 * or each of its parts), oldest first, as the flush writes them: a write whose sums do not all fit a DynamoDB number
 * is left out whole (DynamoDB refuses it, and the flush dead-letters it as `ROW_REJECTED`; the row stays as it was),
 * and so is one with a delta that is no DynamoDB number (the flush cannot send it: `ROW_REJECTED` too).
 * Returns how many attributes changed.
 *
 * @example
 * ```ts
 * addPendingBuckets(row, snapshot.pendingByBucket(pk, sk, row._fb?.S));
 * ```
 */
export function addPendingBuckets(
  row: Record<string, AttributeValue>,
  buckets: readonly ReadonlyMap<string, Num>[],
): number {
  const changed = new Set<string>();
  for (const deltas of buckets) {
    const sums = new Map<string, string>();
    for (const [attr, delta] of deltas) {
      const cur = row[attr]?.N;
      // a delta that is no DynamoDB number cannot even be sent: the flush letters its write (review s44z)
      if (dynamoText(delta) === undefined) break;
      const text = dynamoText(cur === undefined ? delta : addNum(parseNum(cur), delta));
      if (text === undefined) break;
      sums.set(attr, text);
    }
    if (sums.size < deltas.size) continue; // refused whole by DynamoDB: the flush letters it
    for (const [attr, text] of sums) {
      row[attr] = { N: text };
      changed.add(attr);
    }
  }
  return changed.size;
}

/** The DynamoDB text of a sum, or `undefined` when DynamoDB would refuse it (38 digits, range). */
function dynamoText(n: Num): string | undefined {
  try {
    return toDynamoN(n);
  } catch (e) {
    if (isDynotallyError(e, 'NUMBER_OUT_OF_RANGE')) return undefined;
    throw e;
  }
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { addNum, compareNum, type Num, parseNum, toDynamoN } from '../numbers/index.ts';
import { addPending, addPendingBuckets, type LiveSnapshot } from './live-source.ts';

/** A group's ranked value as `top` read it: the value, the row's flush marker, and the attribute it came from. */
export interface RankedStored {
  readonly value: Num;
  readonly marker: string | undefined;
  /** `'lbv'`, or the ranked measure's own attribute for a row without a leaderboard entry yet. */
  readonly from: string;
}

/**
 * A group's ranked value with its live deltas added as the flush will write them, or undefined when it has none:
 * the delta of the attribute the value was read from (`stored.from`, else the measure's `storeAs`). With a snapshot
 * that gives its deltas write by write ({@link LiveSnapshot.pendingByBucket}), a write whose value would not fit a
 * DynamoDB number (38 significant digits) is left out, as the flush dead-letters it (`ROW_REJECTED`) and the stored
 * value stays; without, a value that does not fit is `NUMBER_OUT_OF_RANGE`, as every other read (review s43r).
 *
 * @example
 * ```ts
 * const v = rankedWithLive(ranked, 'favourites#sr-1', 'ALL', stored.get(pk), 'favs');
 * ```
 */
export function rankedWithLive(
  snapshot: LiveSnapshot,
  pk: string,
  sk: string,
  stored: RankedStored | undefined,
  storeAs: string,
): Num | undefined {
  const from = stored?.from ?? 'lbv';
  const pick = (deltas: ReadonlyMap<string, Num>): Map<string, Num> => {
    const d = deltas.get(from) ?? deltas.get(storeAs);
    return new Map(d === undefined ? [] : [[from, d]]);
  };
  const row: Record<string, AttributeValue> =
    stored === undefined ? {} : { [from]: { N: toDynamoN(stored.value) } };
  const byBucket = snapshot.pendingByBucket?.(pk, sk, stored?.marker);
  const merged =
    byBucket === undefined
      ? addPending(row, pick(snapshot.pending(pk, sk, stored?.marker)))
      : addPendingBuckets(row, byBucket.map(pick));
  const n = row[from]?.N;
  return merged === 0 || n === undefined ? undefined : parseNum(n);
}

/**
 * The most a group's ranked value can be once the flush has written or refused its live writes: the stored value
 * (0 without a row) plus its positive live deltas only. A refused write leaves its delta out, so a group lowered by
 * a negative delta may rank higher than {@link rankedWithLive} says, never higher than this (review s44v): `top`
 * judges such a group on its whole row when this bound still reaches the top k.
 *
 * @example
 * ```ts
 * const most = rankedUpperBound(ranked, 'amounts#sbig', 'ALL', stored.get(pk), 'total'); // 100 for 100 and -90
 * ```
 */
export function rankedUpperBound(
  snapshot: LiveSnapshot,
  pk: string,
  sk: string,
  stored: RankedStored | undefined,
  storeAs: string,
): Num {
  const from = stored?.from ?? 'lbv';
  const byBucket = snapshot.pendingByBucket?.(pk, sk, stored?.marker) ?? [
    snapshot.pending(pk, sk, stored?.marker),
  ];
  let most: Num = stored?.value ?? 0;
  for (const deltas of byBucket) {
    const d = deltas.get(from) ?? deltas.get(storeAs);
    if (d !== undefined && compareNum(d, 0) > 0) most = addNum(most, d);
  }
  return most;
}

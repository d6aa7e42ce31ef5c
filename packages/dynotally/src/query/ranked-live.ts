import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Num, parseNum, toDynamoN } from '../numbers/index.ts';
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

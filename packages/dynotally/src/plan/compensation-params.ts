import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { negNum, toDynamoN } from '../numbers/index.ts';
import type { RowWrite } from './row-write.ts';

/** Options for {@link compensationUpdateParams}. */
export interface CompensationOptions {
  now: number;
  /** The shard's watermark attribute on the row (the legacy `w_…` string form). */
  watermarkAttr: string;
  /**
   * The shard's compact state attribute and the bound it must reach to hold the record (`sequence × 10⁶`):
   * the row holds the record when either encoding says so.
   */
  compact?: { readonly attr: string; readonly bound: AttributeValue } | undefined;
  /** The (40-digit) sequence number of the record taken back. */
  sequence: string;
  /** The attribute that marks this record as taken back from the row (so it is taken back once). */
  markerAttr: string;
  /**
   * The record's stream time (epoch seconds), the marker's value: a write that finds the marker older than the
   * redelivery horizon drops it, as it drops shard states (`apply/prune-hints.ts`). Without it (a record without
   * `ApproximateCreationDateTime`) the marker holds 1 and is kept.
   */
  markedAtSeconds?: number | undefined;
}

/**
 * The `UpdateItem` that takes one record's deltas back out of a row (ADD of the negated deltas, leaderboard
 * included), only if the row holds the record (its shard watermark is at or past it) and the record was not
 * taken back before (the marker attribute is absent; it is set by the same write).
 *
 * @example
 * ```ts
 * const input = compensationUpdateParams('aggregates', rowOfRecord, { now, watermarkAttr, sequence, markerAttr: 'x_…' });
 * ```
 */
export function compensationUpdateParams(
  table: string,
  w: RowWrite,
  options: CompensationOptions,
): UpdateItemCommandInput {
  const names: Record<string, string> = {
    '#u': 'updatedAt',
    '#w': options.watermarkAttr,
    '#x': options.markerAttr,
  };
  const values: Record<string, AttributeValue> = {
    ':u': { N: String(options.now) },
    ':x': { N: markerValue(options.markedAtSeconds) },
    ':p': { S: options.sequence },
  };
  let holds = '#w >= :p';
  if (options.compact !== undefined) {
    names['#wc'] = options.compact.attr;
    values[':pc'] = options.compact.bound;
    holds = '(#w >= :p OR #wc >= :pc)';
  }
  const add: string[] = [];
  w.adds.forEach(([attr, delta], i) => {
    names[`#a${i}`] = attr;
    values[`:v${i}`] = { N: toDynamoN(negNum(delta)) };
    add.push(`#a${i} :v${i}`);
  });
  if (w.leaderboard !== undefined) {
    names['#lbv'] = 'lbv';
    values[':lbv'] = { N: toDynamoN(negNum(w.leaderboard.delta)) };
    add.push('#lbv :lbv');
  }
  return {
    TableName: table,
    Key: { pk: { S: w.pk }, sk: { S: w.sk } },
    UpdateExpression: `SET #u = :u, #x = :x${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`,
    ConditionExpression: `${holds} AND attribute_not_exists(#x)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * A take-back marker's value: the record's stream time in whole epoch seconds, or 1 when it has none (such a
 * marker is never taken for stale). Releases before 0.3 wrote 1 always.
 *
 * @example
 * ```ts
 * markerValue(1_763_812_345.6); // '1763812345'
 * ```
 */
export function markerValue(markedAtSeconds: number | undefined): string {
  return markedAtSeconds !== undefined && Number.isFinite(markedAtSeconds) && markedAtSeconds >= 1
    ? String(Math.floor(markedAtSeconds))
    : '1';
}

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
    ':one': { N: '1' },
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
    UpdateExpression: `SET #u = :u, #x = :one${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`,
    ConditionExpression: `${holds} AND attribute_not_exists(#x)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The take-back's condition checked on its own: the same key and condition, setting only `updatedAt` to the value
 * it already has (`if_not_exists`), so the row keeps its size to the byte and the store can refuse it for nothing
 * but the condition (a new time could grow a row at the 400 KB limit, the very row whose take-back was refused for
 * size: a number's size follows its significant digits, and that refusal would fail the batch on every delivery).
 * A refused take-back proves that the row holds the record only if the store checked the condition before
 * computing the sum, which DynamoDB does not document; this write answers the question either way (it succeeds
 * exactly when the condition holds, and changes no counter).
 *
 * @example
 * ```ts
 * const check = compensationCheckParams(compensationUpdateParams('aggregates', row, options));
 * ```
 */
export function compensationCheckParams(takeBack: UpdateItemCommandInput): UpdateItemCommandInput {
  const update = 'SET #u = if_not_exists(#u, :u)';
  const condition = takeBack.ConditionExpression as string;
  // DynamoDB refuses names and values an expression does not use: keep only the condition's and `#u`, `:u`
  const used = new Set(`${update} ${condition}`.match(/[#:][A-Za-z0-9_]+/g));
  const pick = <T>(all: Record<string, T> | undefined) =>
    Object.fromEntries(Object.entries(all ?? {}).filter(([k]) => used.has(k))) as Record<string, T>;
  return {
    TableName: takeBack.TableName,
    Key: takeBack.Key,
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: pick(takeBack.ExpressionAttributeNames),
    ExpressionAttributeValues: pick(takeBack.ExpressionAttributeValues),
  };
}

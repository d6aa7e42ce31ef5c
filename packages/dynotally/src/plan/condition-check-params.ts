import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * A conditional write's condition checked on its own: the same key and condition, setting only `updatedAt` to the
 * value it already has (`if_not_exists`), so the row keeps its size to the byte and the store can refuse it for
 * nothing but the condition (a new time could grow a row at the 400 KB limit, the very row a write was refused for:
 * a number's size follows its significant digits). It never creates a row either: on a missing row it fails, with
 * no old item. The write asked for (`ReturnValuesOnConditionCheckFailure`) is kept, so a failure returns the row.
 *
 * A write the store refuses for its sum (more than 38 digits, or a row over 400 KB) tells nothing about its
 * condition unless the store checked the condition before computing the sum, which DynamoDB does not document.
 * This write answers the question either way: it succeeds exactly when the condition holds (and the row exists), and
 * changes no counter. `write` must name `updatedAt` as `#u` and give its value as `:u`, as every row write and
 * take-back does.
 *
 * @example
 * ```ts
 * const check = conditionCheckParams(rowUpdateParams('aggregates', row, { now, watermark }));
 * // check.UpdateExpression === 'SET #u = if_not_exists(#u, :u)'
 * ```
 */
export function conditionCheckParams(write: UpdateItemCommandInput): UpdateItemCommandInput {
  const update = 'SET #u = if_not_exists(#u, :u)';
  const condition = write.ConditionExpression as string;
  // DynamoDB refuses names and values an expression does not use: keep only the condition's and `#u`, `:u`
  const used = new Set(`${update} ${condition}`.match(/[#:][A-Za-z0-9_]+/g));
  const pick = <T>(all: Record<string, T> | undefined) =>
    Object.fromEntries(Object.entries(all ?? {}).filter(([k]) => used.has(k))) as Record<string, T>;
  const names = pick(write.ExpressionAttributeNames);
  names['#ck'] = Object.keys(write.Key ?? {})[0] ?? 'pk';
  const asked = write.ReturnValuesOnConditionCheckFailure;
  return {
    TableName: write.TableName,
    Key: write.Key,
    UpdateExpression: update,
    ConditionExpression: `(${condition}) AND attribute_exists(#ck)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: pick(write.ExpressionAttributeValues),
    ...(asked === undefined ? {} : { ReturnValuesOnConditionCheckFailure: asked }),
  };
}

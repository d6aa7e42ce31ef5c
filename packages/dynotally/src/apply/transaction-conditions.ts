import type { AttributeValue, DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { ApplyReport } from './apply-report.ts';
import { failedCondition } from './failed-condition.ts';
import type { RetryOptions } from './retry.ts';

/**
 * The row updates of a transaction the store refused for a sum (a number it cannot hold, a row over 400 KB) whose
 * own condition fails on a stored row, by index, each with that row: each asked alone by {@link failedCondition},
 * which changes no counter (each update must ask `ALL_OLD` on a failed condition). A store that computes the sum
 * before it checks the condition (DynamoDB does not document the order) reports the refusal where a condition fails
 * too, so a refusal says that a record cannot be added only when this is empty. Updates that are not conditional,
 * and missing rows (none can refuse a sum), are left out.
 *
 * @example
 * ```ts
 * const failed = await failedRowConditions(items.slice(0, writes.length), ctx);
 * for (const [i, item] of failed) own.set(writes[i].key, ownStates(item, ctx.attrs));
 * ```
 */
export async function failedRowConditions(
  updates: readonly TransactWriteItem[],
  ctx: { client: DynamoDBClient; report: ApplyReport; retry?: RetryOptions },
): Promise<Map<number, Record<string, AttributeValue>>> {
  const failed = new Map<number, Record<string, AttributeValue>>();
  for (const [i, { Update }] of updates.entries()) {
    if (Update?.ConditionExpression === undefined) continue;
    const failure = await failedCondition(Update, ctx);
    if (failure?.Item !== undefined) failed.set(i, failure.Item);
  }
  return failed;
}

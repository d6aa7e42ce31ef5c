import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../cost/item-size.ts';
import { conditionCheckParams } from '../plan/index.ts';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { retrying } from './write-extrema.ts';

/**
 * Asks whether a write the store refused for its sum (a number it cannot hold, a row over 400 KB) would have passed
 * its condition: by a write of the same condition that changes no counter ({@link conditionCheckParams}). Resolves
 * to undefined when the condition holds (the refusal stands), else to the store's `ConditionalCheckFailedException`
 * (with the old row as `Item` when `write` asked for it and the row exists): then the refusal says nothing, since a
 * store that computes the sum before it checks the condition reports the refusal where the condition fails too. The
 * check is counted in `ctx.report` (one request; its write units, the stored row's size when it fails).
 *
 * @example
 * ```ts
 * const failed = await failedCondition(input, ctx);
 * if (failed === undefined) throw refusal; // the condition holds: refused for good
 * ```
 */
export async function failedCondition(
  write: UpdateItemCommandInput,
  ctx: { client: DynamoDBClient; report: ApplyReport; retry?: RetryOptions },
): Promise<ConditionalCheckFailedException | undefined> {
  const check = { ...conditionCheckParams(write), ReturnConsumedCapacity: 'INDEXES' as const };
  try {
    const out = await withRetry(() => ctx.client.send(new UpdateItemCommand(check)), retrying(ctx));
    ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
    return undefined;
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    ctx.report.writeUnits += Math.max(1, Math.ceil(itemSizeBytes(e.Item ?? {}) / 1024));
    return e;
  } finally {
    ctx.report.requests++;
  }
}

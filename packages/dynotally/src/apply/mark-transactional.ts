import { ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { consumedUnits } from './capacity.ts';
import { mapLimit } from './map-limit.ts';
import { isRowTooLarge } from './number-refusal.ts';
import { withRetry } from './retry.ts';
import { TRANSACTIONAL_ATTR, TRANSACTIONAL_VALUE } from './transactional-marker.ts';
import { retrying } from './write-extrema.ts';
import type { RowWriteContext } from './write-rows.ts';

/**
 * Marks rows seen over the state budget as transactional, so that every process writing them learns it from
 * its next refused per-row write (each keeps its own memory of rows: on Lambda, one per container). Marking
 * touches no state and no counter, so it is safe at any moment: for every shard S the row still holds exactly
 * the records up to `max(S's watermark item, S's state on the row)`, since until now every record of S that
 * reached it was applied per row. An existing mark, a deleted row or a row too full to take the marker is left
 * as it is (the row stays per-row; a later sample tries again).
 *
 * @example
 * ```ts
 * await markTransactional([{ pk: 'total#shot', sk: 'ALL' }], { client, table: 'aggregates', now: Date.now(), concurrency: 8, report });
 * ```
 */
export async function markTransactional(
  rows: ReadonlyArray<{ readonly pk: string; readonly sk: string }>,
  ctx: Pick<RowWriteContext, 'client' | 'table' | 'now' | 'concurrency' | 'report' | 'retry'>,
): Promise<void> {
  await mapLimit(rows, ctx.concurrency, async ({ pk, sk }) => {
    const input = {
      TableName: ctx.table,
      Key: { pk: { S: pk }, sk: { S: sk } },
      UpdateExpression: 'SET #x = :x, #u = :u',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#x)',
      ExpressionAttributeNames: { '#x': TRANSACTIONAL_ATTR, '#u': 'updatedAt', '#pk': 'pk' },
      ExpressionAttributeValues: { ':x': TRANSACTIONAL_VALUE, ':u': { N: String(ctx.now) } },
      ReturnConsumedCapacity: 'INDEXES' as const,
    };
    try {
      const out = await withRetry(() => ctx.client.send(new UpdateItemCommand(input)), retrying(ctx));
      ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException) && !isRowTooLarge(e)) throw e;
      ctx.report.writeUnits += 1;
    }
    ctx.report.requests++;
  });
}

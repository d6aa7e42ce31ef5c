import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { bucketMarker, FLUSH_MARKER_ATTR } from './keys.ts';
import { flushedCell } from './row-parts.ts';
import type { UnplacedRow } from './rows-from-cells.ts';

/**
 * The cells of an unplaced row (a rollup or row kind this flusher does not know) that the row in DynamoDB does not
 * hold yet for flush bucket `bucket`, by the row's flush marker `_fb` as read (`stored`). A flusher on a newer
 * configuration that knows the rollup may have written the bucket's row (all of it, or its first parts) and stopped
 * before marking the bucket done: buckets flush strictly oldest first and this one is not done, so `_fb` at or past
 * the bucket (or a part of it covering the attribute: {@link flushedCell}) says the row holds those cells. Only the
 * others go to the dead letter; none left: the row was written, nothing to letter (review s41y).
 *
 * @example
 * ```ts
 * unheldCells(row, 1795352400000, '001795352400000'); // { ...row, adds: [] }: the row holds them all
 * ```
 */
export function unheldCells(row: UnplacedRow, bucket: number, stored: string | undefined): UnplacedRow {
  const b = bucketMarker(bucket);
  return { ...row, adds: row.adds.filter(([attr]) => !flushedCell(stored, b, attr)) };
}

/**
 * The condition committed with an unplaced row's letter (`DeadLetterSendOptions.alongside`, a sink that
 * `commitsAlongside`): the row's `_fb` is still what the flusher read (`stored`; none: no marker), so the letter is
 * stored only if no flush wrote the row between the read and the letter. A failed check returns the row as it is.
 *
 * @example
 * ```ts
 * await sink.send([letter], { alongside: unchangedMarkerCheck('aggregates', 'orders#sg', 'ALL', undefined) });
 * ```
 */
export function unchangedMarkerCheck(
  table: string,
  pk: string,
  sk: string,
  stored: string | undefined,
): TransactWriteItem {
  const values: Record<string, AttributeValue> | undefined =
    stored === undefined ? undefined : { ':w': { S: stored } };
  return {
    ConditionCheck: {
      TableName: table,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConditionExpression: stored === undefined ? 'attribute_not_exists(#w)' : '#w = :w',
      ExpressionAttributeNames: { '#w': FLUSH_MARKER_ATTR },
      ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

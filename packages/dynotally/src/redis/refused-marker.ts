import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { FLUSH_MARKER_ATTR } from './keys.ts';

/**
 * The row attribute naming the last flush-marker value whose write DynamoDB refused (`ROW_REJECTED`): the part's
 * marker, set together with `_fb` by {@link refusedMarkerParams}. A re-run of the bucket whose row write fails its
 * condition reads it back (`ALL_OLD`): equal to the part's marker, the part went to a dead letter, not into the row,
 * and its letter is sent again (same key: stored once) in case the earlier run stopped before storing it.
 *
 * @example
 * ```ts
 * const refused = item[FLUSH_REFUSED_ATTR]?.S === marker; // this part of this bucket is a dead letter
 * ```
 */
export const FLUSH_REFUSED_ATTR = '_fr';

/**
 * The `UpdateItem` that ties a refused part of a flushed row to its dead letter: it sets the row's flush marker
 * `_fb` and {@link FLUSH_REFUSED_ATTR} to the part's marker, nothing else, under the condition the part's write had
 * (`_fb` missing or below the marker) and only on a row that exists (a row DynamoDB refused without one is refused
 * for what it is, and would be again). A re-run then skips the part as written and finds `_fr`: whatever the stored
 * value has become meanwhile, the part is counted by its letter only, never also by the row.
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(refusedMarkerParams('aggregates', 'money#sg', 'ALL', '001795352400000')));
 * ```
 */
export function refusedMarkerParams(
  table: string,
  pk: string,
  sk: string,
  marker: string,
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: { pk: { S: pk }, sk: { S: sk } },
    UpdateExpression: 'SET #w = :w, #r = :w',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#w) OR #w < :w)',
    ExpressionAttributeNames: { '#w': FLUSH_MARKER_ATTR, '#r': FLUSH_REFUSED_ATTR },
    ExpressionAttributeValues: { ':w': { S: marker } },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ReturnConsumedCapacity: 'INDEXES',
  };
}

import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { FLUSH_MARKER_ATTR } from './keys.ts';

/**
 * The row attribute naming the last flush-marker value whose write DynamoDB refused (`ROW_REJECTED`): the part's
 * marker ({@link refusedValue}), set together with `_fb` by {@link refusedMarkerParams}. A re-run of the bucket whose
 * row write fails its condition reads it back (`ALL_OLD`, {@link refusalAt}): the part went to a dead letter, not into
 * the row. Tied in the letter's transaction, the letter exists or existed and nothing is sent; tied apart (a sink
 * that cannot commit a write with its letters), the letter is sent again (same key: stored once while it is kept) in
 * case the earlier run stopped before storing it.
 *
 * @example
 * ```ts
 * const refused = item[FLUSH_REFUSED_ATTR]?.S?.startsWith(marker); // this part of this bucket is a dead letter
 * ```
 */
export const FLUSH_REFUSED_ATTR = '_fr';

/** What {@link FLUSH_REFUSED_ATTR} ends with when the tie was stored in one transaction with the part's letter. */
const WITH_LETTER = '+letter';

/**
 * The {@link FLUSH_REFUSED_ATTR} value of a part tied at `marker`: the marker, followed by `+letter` when the tie was
 * committed with the part's letter (tied-letter.ts), so a re-run knows whether the letter is sure to have been stored
 * whatever sink it now has.
 *
 * @example
 * ```ts
 * refusedValue('001795352400000', true); // '001795352400000+letter'
 * ```
 */
export function refusedValue(marker: string, withLetter: boolean): string {
  return withLetter ? `${marker}${WITH_LETTER}` : marker;
}

/**
 * How a row read back (a failed condition's `ALL_OLD`) says the part at `marker` was refused: `with-letter` (tied in
 * the letter's transaction: the letter exists or existed, maybe replayed and dropped; send nothing), `tied` (tied
 * first, the letter sent after: it may be missing; send it again), undefined (not refused at this marker).
 *
 * @example
 * ```ts
 * if (refusalAt(item, marker) === 'tied') await sink.send([letter]);
 * ```
 */
export function refusalAt(
  item: Readonly<Record<string, { S?: string | undefined }>> | undefined,
  marker: string,
): 'with-letter' | 'tied' | undefined {
  const value = item?.[FLUSH_REFUSED_ATTR]?.S;
  if (value === refusedValue(marker, true)) return 'with-letter';
  return value === marker ? 'tied' : undefined;
}

/**
 * The `UpdateItem` that ties a refused part of a flushed row to its dead letter: it sets the row's flush marker
 * `_fb` and {@link FLUSH_REFUSED_ATTR} to the part's marker (`withLetter`: marked as committed with the letter), nothing else, under the condition the part's write had
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
  withLetter = false,
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: { pk: { S: pk }, sk: { S: sk } },
    UpdateExpression: 'SET #w = :w, #r = :r',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#w) OR #w < :w)',
    ExpressionAttributeNames: { '#w': FLUSH_MARKER_ATTR, '#r': FLUSH_REFUSED_ATTR },
    ExpressionAttributeValues: { ':w': { S: marker }, ':r': { S: refusedValue(marker, withLetter) } },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ReturnConsumedCapacity: 'INDEXES',
  };
}

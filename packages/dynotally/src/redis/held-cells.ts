import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { bucketMarker, FLUSH_MARKER_ATTR } from './keys.ts';
import { FLUSH_REFUSED_ATTR, refusedValue } from './refused-marker.ts';
import { ALL_PARTS, flushedCell, PART_MARKER_SEPARATOR } from './row-parts.ts';
import type { UnplacedRow } from './rows-from-cells.ts';

/**
 * The cells of an unplaced row (a rollup or row kind this flusher does not know) that the row in DynamoDB does not
 * hold yet for flush bucket `bucket`, by the row's flush marker `_fb` as read (`stored`). A flusher on a newer
 * configuration that knows the rollup may have written the bucket's row (all of it, or its first parts) and stopped
 * before marking the bucket done: buckets flush strictly oldest first and this one is not done, so `_fb` at or past
 * the bucket (or a part of it covering the attribute: {@link flushedCell}) says the row holds those cells. Only the
 * others go to the dead letter; none left: the row was written, nothing to letter (review s41y). A row written in
 * part (some held, some not) keeps the held ones in `written`: its leaderboard entry goes with its last part, which
 * was not written, and a replay that places the row computes it from the measure's cell wherever it is (review s42y).
 *
 * @example
 * ```ts
 * unheldCells(row, 1795352400000, '001795352400000'); // { ...row, adds: [] }: the row holds them all
 * ```
 */
export function unheldCells(row: UnplacedRow, bucket: number, stored: string | undefined): UnplacedRow {
  const b = bucketMarker(bucket);
  const adds = row.adds.filter(([attr]) => !flushedCell(stored, b, attr));
  if (adds.length === 0 || adds.length === row.adds.length) return { ...row, adds };
  return { ...row, adds, written: row.adds.filter(([attr]) => flushedCell(stored, b, attr)) };
}

/**
 * The flush-marker value an unplaced row's letter ties the row to: the bucket's marker (`marker`, with its seal move)
 * followed by the final part's suffix (`<marker>|~`, row-parts.ts). It is at or past every write a flush of this
 * bucket makes to the row (the whole row at `<marker>`, or each of its parts at `<marker>|<attribute>`) and below
 * every later bucket's, so a flusher that knows the rollup and runs the bucket again skips the row: its cells are the
 * letter's (review s42y).
 *
 * @example
 * ```ts
 * letteredMarker('001795352400000'); // '001795352400000|~'
 * ```
 */
export function letteredMarker(marker: string): string {
  return `${marker}${PART_MARKER_SEPARATOR}${ALL_PARTS}`;
}

/**
 * The write committed with an unplaced row's letter (`DeadLetterSendOptions.alongside`, a sink that
 * `commitsAlongside`): only if the row's `_fb` is still what the flusher read (`stored`; none: no marker, or no row),
 * it sets `_fb` to {@link letteredMarker} and `_fr` to that value marked as committed with its letter
 * (`refusedValue`, refused-marker.ts), creating the row when there is none (a rollup added by a deploy that has not
 * reached this flusher: its row is usually new). The letter and the tie are then stored together or not at all:
 * - a flush that wrote the row between the read and the letter fails the condition (the row as it is comes back:
 *   read it again), so the letter never holds cells the row holds (review s41y);
 * - a flusher on a newer configuration that runs the bucket again after this one stopped short of marking it done
 *   finds `_fb` at or past each of its writes of the row and skips them, so the row never gets the cells the letter
 *   holds (review s42y). `_fr` says they were lettered.
 *
 * @example
 * ```ts
 * await sink.send([letter], { alongside: letterTie('aggregates', 'orders#sg', 'ALL', undefined, '001795352400000') });
 * ```
 */
export function letterTie(
  table: string,
  pk: string,
  sk: string,
  stored: string | undefined,
  marker: string,
): TransactWriteItem {
  const tie = letteredMarker(marker);
  const values: Record<string, AttributeValue> = {
    ':t': { S: tie },
    ':r': { S: refusedValue(tie, true) },
    ...(stored === undefined ? {} : { ':w': { S: stored } }),
  };
  return {
    Update: {
      TableName: table,
      Key: { pk: { S: pk }, sk: { S: sk } },
      UpdateExpression: 'SET #w = :t, #r = :r',
      ConditionExpression: stored === undefined ? 'attribute_not_exists(#w)' : '#w = :w',
      ExpressionAttributeNames: { '#w': FLUSH_MARKER_ATTR, '#r': FLUSH_REFUSED_ATTR },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

import {
  type AttributeValue,
  TransactionCanceledException,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { refusedMarkerParams } from './refused-marker.ts';

/**
 * The tie of a refused part (refused-marker.ts) as the write a dead-letter sink commits with the part's letter
 * (`DeadLetterSendOptions.alongside`): the letter and the row's `_fb`/`_fr` are then stored together or not at all,
 * so a re-run that finds `_fr` equal to its marker knows the letter exists or existed (it may have been replayed and
 * dropped since) and skips the part without sending it again. A failed condition returns the row as it was.
 *
 * @example
 * ```ts
 * await sink.send([letter], { alongside: tieWrite('aggregates', 'money#sg', 'ALL', '001795352400000') });
 * ```
 */
export function tieWrite(table: string, pk: string, sk: string, marker: string): TransactWriteItem {
  const p = refusedMarkerParams(table, pk, sk, marker, true);
  return {
    Update: {
      TableName: p.TableName,
      Key: p.Key,
      UpdateExpression: p.UpdateExpression,
      ConditionExpression: p.ConditionExpression,
      ExpressionAttributeNames: p.ExpressionAttributeNames,
      ExpressionAttributeValues: p.ExpressionAttributeValues,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  } as TransactWriteItem;
}

/** Why a letter sent with {@link tieWrite} was not stored: the tie's condition failed, or the row cannot take it. */
export type TieRefusal =
  | { readonly kind: 'condition'; readonly item: Record<string, AttributeValue> | undefined }
  | { readonly kind: 'invalid' };

/**
 * What a failed `send` with {@link tieWrite} last says about the tie: `condition` (the row as it was, none when
 * there is no row) when the tie's condition failed, `invalid` when DynamoDB refused a write as invalid (an item at
 * its size limit cannot take `_fr`), undefined for any other failure (the flush fails and its re-run decides
 * afresh: the transaction stored both or neither).
 *
 * @example
 * ```ts
 * const refusal = tieRefusal(error); // { kind: 'condition', item: { _fb: { S: '…' }, _fr: { S: '…' } } }
 * ```
 */
export function tieRefusal(error: unknown): TieRefusal | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    if (e instanceof TransactionCanceledException) {
      const reasons = e.CancellationReasons ?? [];
      const last = reasons.at(-1);
      if (last?.Code === 'ConditionalCheckFailed') return { kind: 'condition', item: last.Item };
      if (reasons.some((r) => r?.Code === 'ValidationError')) return { kind: 'invalid' };
      return undefined;
    }
    if ((e as { name?: string } | null)?.name === 'ValidationException') return { kind: 'invalid' };
    e = (e as { cause?: unknown } | null)?.cause;
  }
  return undefined;
}

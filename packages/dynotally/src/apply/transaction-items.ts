import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { type RowWrite, rowUpdateParams } from '../plan/index.ts';
import type { PruneHint } from './prune-hints.ts';
import { watermarkItemTtl } from './redelivery-horizon.ts';
import { TRANSACTIONAL_ATTR, TRANSACTIONAL_VALUE } from './transactional-marker.ts';
import { type StoredWatermark, transactionalWatermarkKey } from './transactional-watermark.ts';

/**
 * What the items of a shard's transaction are built from: the table and clock, the shard, and its state
 * attributes on a row.
 *
 * @example
 * ```ts
 * const ctx: TransactionItemsContext = { table, now, source, shardId, attrs: shardStateAttrs(source, shardId) };
 * ```
 */
export interface TransactionItemsContext {
  table: string;
  now: number;
  source: string;
  shardId: string;
  /** The shard's state attributes on a row (compact, legacy) and the finished shards' states to drop. */
  attrs: { readonly attr: string; readonly legacy: string; readonly drop?: readonly string[] | undefined };
}

/**
 * One row's update in the transaction: the deltas, the marker set, the shard's own state and its finished
 * ancestors' states removed; conditioned on the own state being what was read (so records it covers are not
 * counted again). Removing it is safe: the watermark item moves past it in the same transaction.
 *
 * @example
 * ```ts
 * const item = rowItem(row, ownStates(stored, ctx.attrs), [], ctx);
 * ```
 */
export function rowItem(
  row: RowWrite,
  own: Record<string, AttributeValue>,
  stale: readonly PruneHint[],
  ctx: TransactionItemsContext,
): TransactWriteItem {
  const input = rowUpdateParams(ctx.table, row, { now: ctx.now });
  const names = input.ExpressionAttributeNames as Record<string, string>;
  const values = input.ExpressionAttributeValues as Record<string, AttributeValue>;
  names['#tx'] = TRANSACTIONAL_ATTR;
  values[':tx'] = TRANSACTIONAL_VALUE;
  let expr = (input.UpdateExpression as string).replace(/^SET /, 'SET #tx = :tx, ');
  const removed = new Set<string>();
  const removes: string[] = [];
  const conditions: string[] = [];
  [ctx.attrs.attr, ctx.attrs.legacy].forEach((attr, i) => {
    names[`#o${i}`] = attr;
    removes.push(`#o${i}`);
    removed.add(attr);
    const value = own[attr];
    if (value === undefined) conditions.push(`attribute_not_exists(#o${i})`);
    else {
      values[`:o${i}`] = value;
      conditions.push(`#o${i} = :o${i}`);
    }
  });
  let d = 0;
  for (const attr of ctx.attrs.drop ?? []) {
    if (removed.has(attr)) continue;
    removed.add(attr);
    names[`#f${d}`] = attr;
    removes.push(`#f${d++}`);
  }
  // states past the redelivery horizon, each only if unchanged (a shard that wrote meanwhile keeps its state)
  let p = 0;
  for (const { attr, value } of stale) {
    if (removed.has(attr)) continue;
    removed.add(attr);
    names[`#p${p}`] = attr;
    values[`:p${p}`] = value;
    conditions.push(`#p${p} = :p${p}`);
    removes.push(`#p${p++}`);
  }
  expr += ` REMOVE ${removes.join(', ')}`;
  return {
    Update: {
      TableName: ctx.table,
      Key: input.Key,
      UpdateExpression: expr,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The update moving a rollup's watermark item (`~wt#`) of the shard to `next`, conditioned on it being as read
 * (`stored`; absent when it was read as missing).
 *
 * @example
 * ```ts
 * items.push(watermarkItem(ctx, 'orders', { seq: '4200' }, last));
 * ```
 */
export function watermarkItem(
  ctx: TransactionItemsContext,
  rollup: string,
  stored: StoredWatermark | undefined,
  next: string,
): TransactWriteItem {
  const expected = stored?.seq;
  const names: Record<string, string> = { '#s': 'seq', '#u': 'updatedAt', '#t': 'ttl' };
  const values: Record<string, AttributeValue> = {
    ':next': { S: next },
    ':u': { N: String(ctx.now) },
    ':t': { N: String(watermarkItemTtl(ctx.now)) },
  };
  if (expected !== undefined) values[':expected'] = { S: expected };
  const update = 'SET #s = :next, #u = :u, #t = :t';
  return {
    Update: {
      TableName: ctx.table,
      Key: transactionalWatermarkKey(ctx.source, ctx.shardId, rollup),
      UpdateExpression: update,
      ConditionExpression: expected === undefined ? 'attribute_not_exists(#s)' : '#s = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

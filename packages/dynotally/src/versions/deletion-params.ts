import type {
  AttributeValue,
  BatchWriteItemCommandInput,
  ScanCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { KEY_SEP } from '../layout/group-key.ts';
import { controlKey, type DeletionRecord, versionAttr } from './control-item.ts';

/**
 * Whether an aggregate row's partition key belongs to the version whose key prefix is given: the prefix alone (a
 * rollup without group-by) or the prefix and the key separator. `store` never matches `store.v2#…` or
 * `storeX#…`: rollup names cannot contain `.` or `#`, so this is exact.
 *
 * @example
 * ```ts
 * isRowOfPrefix('store', 'store#s42'); // true
 * isRowOfPrefix('store', 'store.v2#s42'); // false
 * ```
 */
export function isRowOfPrefix(prefix: string, pk: string): boolean {
  return pk === prefix || pk.startsWith(prefix + KEY_SEP);
}

/**
 * One page of the scan that finds a version's rows: keys only, filtered on the partition-key prefix (a Scan reads,
 * and is billed for, every item of the page; the filter only trims what comes back).
 *
 * @example
 * ```ts
 * await client.send(new ScanCommand(retiredRowsScanParams('aggregates', 'store', undefined, 1000)));
 * ```
 */
export function retiredRowsScanParams(
  table: string,
  prefix: string,
  cursor: Record<string, AttributeValue> | undefined,
  limit: number,
): ScanCommandInput {
  return {
    TableName: table,
    Limit: limit,
    ProjectionExpression: '#pk, #sk',
    FilterExpression: '#pk = :p OR begins_with(#pk, :pp)',
    ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
    ExpressionAttributeValues: { ':p': { S: prefix }, ':pp': { S: prefix + KEY_SEP } },
    ReturnConsumedCapacity: 'TOTAL',
    ...(cursor === undefined ? {} : { ExclusiveStartKey: cursor }),
  };
}

/**
 * Deletes up to 25 rows by key in one `BatchWriteItem`.
 *
 * @example
 * ```ts
 * deleteRowsParams('aggregates', [{ pk: { S: 'store#s1' }, sk: { S: 'ALL' } }]);
 * ```
 */
export function deleteRowsParams(
  table: string,
  keys: readonly Record<string, AttributeValue>[],
): BatchWriteItemCommandInput {
  return {
    RequestItems: { [table]: keys.map((Key) => ({ DeleteRequest: { Key } })) },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/**
 * Records where a deletion is (or that it ended), only while the version is still `retired` and no end is recorded:
 * two runs at once must never replace a recorded end with a cursor (the deletion would show as unfinished and the
 * next run would rescan), nor one end with another.
 *
 * @example
 * ```ts
 * deletionRecordParams('aggregates', 'store', 1, { startedAt: t0, deleted: 1000, pages: 1, cursor });
 * ```
 */
export function deletionRecordParams(
  table: string,
  rollup: string,
  version: number,
  d: DeletionRecord,
): UpdateItemCommandInput {
  const m: Record<string, AttributeValue> = {
    startedAt: { N: String(d.startedAt) },
    deleted: { N: String(d.deleted) },
    pages: { N: String(d.pages) },
  };
  if (d.endedAt !== undefined) m.endedAt = { N: String(d.endedAt) };
  if (d.cursor !== undefined) m.cursor = { M: d.cursor };
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: 'SET #v.deletion = :d',
    ConditionExpression: '#v.#state = :retired AND attribute_not_exists(#v.#del.#end)',
    ExpressionAttributeNames: {
      '#v': versionAttr(version),
      '#state': 'state',
      '#del': 'deletion',
      '#end': 'endedAt',
    },
    ExpressionAttributeValues: { ':d': { M: m }, ':retired': { S: 'retired' } },
  };
}

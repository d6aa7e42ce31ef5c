import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { SourceItem } from '../workload/index.ts';

/**
 * The source table's items after the changes `records` describe (INSERT/MODIFY keep the new image,
 * REMOVE drops the key): what a prefix of the stream leaves behind, for the oracle of a prefix run.
 *
 * @example
 * ```ts
 * const expected = computeOracle(itemsAfter(records.slice(0, 5_000)));
 * ```
 */
export function itemsAfter(records: Iterable<DynamoDBRecord>): SourceItem[] {
  const items = new Map<string, SourceItem>();
  for (const record of records) {
    const key = record.dynamodb?.Keys?.pk?.S;
    if (key === undefined) throw new Error(`stream record ${record.eventID} has no source key pk`);
    const image = record.dynamodb?.NewImage;
    if (record.eventName === 'REMOVE' || image === undefined) {
      items.delete(key);
      continue;
    }
    const item = unmarshall(image as Record<string, AttributeValue>) as {
      pk: string;
      storeId: string;
      type: 'order' | 'view';
      ts: number;
      amount?: number;
    };
    items.set(key, { pk: item.pk, storeId: item.storeId, type: item.type, ts: Number(item.ts) });
  }
  return [...items.values()];
}

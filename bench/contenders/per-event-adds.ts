import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { GRANULARITIES, measureOf } from '../oracle/canonical.ts';
import { luxonBucketLabels } from './luxon-labels.ts';

/** Options for {@link perEventAdds}. */
export interface PerEventAddsOptions {
  /** The aggregate table (`pk` = storeId, `sk` = bucket label). */
  tableName: string;
  /** Zone of the day, month and year buckets; default `Europe/London`. */
  timeZone?: string;
}

/**
 * The reference systems' write path for one stream record: for every granularity one
 * `UpdateItem … ADD #c :d` on row (`storeId`, bucket label), attribute `orders` or `views`.
 * INSERT adds 1 for the new image, REMOVE subtracts 1 for the old one, MODIFY does both
 * (so 12 updates, even when old and new fall in the same bucket). No coalescing, no dedupe.
 *
 * @example
 * ```ts
 * for (const input of perEventAdds(record, { tableName: 'agg' })) await client.send(new UpdateItemCommand(input));
 * ```
 */
export function perEventAdds(record: DynamoDBRecord, options: PerEventAddsOptions): UpdateItemCommandInput[] {
  const zone = options.timeZone ?? 'Europe/London';
  const out: UpdateItemCommandInput[] = [];
  const image = (which: 'NewImage' | 'OldImage'): Record<string, unknown> | undefined => {
    const raw = record.dynamodb?.[which];
    return raw === undefined ? undefined : unmarshall(raw as Record<string, AttributeValue>);
  };
  const add = (item: Record<string, unknown>, delta: 1 | -1): void => {
    const storeId = String(item.storeId);
    const labels = luxonBucketLabels(Number(item.ts), zone);
    const measure = measureOf(item.type === 'order' ? 'order' : 'view');
    for (const granularity of GRANULARITIES) {
      out.push({
        TableName: options.tableName,
        Key: { pk: { S: storeId }, sk: { S: labels[granularity] } },
        UpdateExpression: 'ADD #c :d',
        ExpressionAttributeNames: { '#c': measure },
        ExpressionAttributeValues: { ':d': { N: String(delta) } },
      });
    }
  };
  switch (record.eventName) {
    case 'INSERT': {
      const item = image('NewImage');
      if (item) add(item, 1);
      break;
    }
    case 'REMOVE': {
      const item = image('OldImage');
      if (item) add(item, -1);
      break;
    }
    case 'MODIFY': {
      const before = image('OldImage');
      const after = image('NewImage');
      if (before) add(before, -1);
      if (after) add(after, 1);
      break;
    }
  }
  return out;
}

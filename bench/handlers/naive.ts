// The naive baseline as a Lambda handler, for the footprint suite: per-event ADDs through a pool of 32.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createNaiveContender } from '../contenders/naive.ts';

const client = new DynamoDBClient({});
const naive = createNaiveContender({
  tableName: process.env.AGGREGATE_TABLE ?? 'naive-aggregates',
  concurrency: 32,
});
let ready: Promise<void> | undefined;

export async function handler(event: DynamoDBStreamEvent & { shardId?: string }) {
  ready ??= naive.setup(client);
  await ready;
  await naive.handle({ shardId: event.shardId ?? '', records: event.Records });
  return { batchItemFailures: [] };
}

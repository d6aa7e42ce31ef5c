// The Powertools baseline as a Lambda handler, for the footprint suite: BatchProcessor + idempotency.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createPowertoolsContender } from '../contenders/powertools.ts';

const client = new DynamoDBClient({});
const table = process.env.AGGREGATE_TABLE ?? 'powertools-aggregates';
const powertools = createPowertoolsContender({ tableName: table, idempotencyTableName: `${table}-idem` });
let ready: Promise<void> | undefined;

export async function handler(event: DynamoDBStreamEvent & { shardId?: string }) {
  ready ??= powertools.setup(client);
  await ready;
  await powertools.handle({ shardId: event.shardId ?? '', records: event.Records });
  return { batchItemFailures: [] };
}

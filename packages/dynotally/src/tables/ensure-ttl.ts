import {
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';

/**
 * Enables time to live on `attribute` unless it already is (or is being) enabled. Throws
 * `TABLE_SCHEMA_MISMATCH` when TTL is enabled on another attribute (a table has at most one).
 *
 * @example
 * ```ts
 * await ensureTtl(client, 'dynotally-aggregates', 'ttl');
 * ```
 */
export async function ensureTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const current = (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName })))
    .TimeToLiveDescription;
  const on = current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING';
  if (on && current?.AttributeName === attribute) return;
  if (on) {
    throw new DynotallyError(
      'TABLE_SCHEMA_MISMATCH',
      `table '${tableName}' has time to live on '${current?.AttributeName}', dynotally needs it on '${attribute}': disable TTL on the table (UpdateTimeToLive) or use another table`,
      { details: { table: tableName, expected: { ttl: attribute }, found: { ttl: current?.AttributeName } } },
    );
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (err) {
    // A concurrent provisioning enabled it first.
    if (err instanceof Error && /already enabled/i.test(err.message)) return;
    throw err;
  }
}

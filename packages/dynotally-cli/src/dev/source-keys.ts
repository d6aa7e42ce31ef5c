import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { createSourceTable } from 'dynotally';

/** Key attributes of a source table, in order (what `createSourceTable` takes). */
type SourceTableKeys = NonNullable<Parameters<typeof createSourceTable>[2]>;

/**
 * The key schema of an existing source table (partition key, then sort key), or `undefined` when the table
 * does not exist yet. With `dev --scenarios none` the source table is yours: the dev stack keeps its keys (and
 * only enables a `NEW_AND_OLD_IMAGES` stream on it when it has none) instead of insisting on `pk`/`sk`.
 *
 * @example
 * ```ts
 * const keys = (await existingSourceKeys(client, 'orders')) ?? { pk: 'S', sk: 'S' };
 * const streamArn = await createSourceTable(client, 'orders', keys);
 * ```
 */
export async function existingSourceKeys(
  client: DynamoDBClient,
  table: string,
): Promise<SourceTableKeys | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const types = new Map((Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
    const schema = [...(Table?.KeySchema ?? [])].sort((a) => (a.KeyType === 'HASH' ? -1 : 1));
    const keys: Record<string, NonNullable<ReturnType<typeof types.get>>> = {};
    for (const k of schema) {
      const type = types.get(k.AttributeName);
      if (k.AttributeName !== undefined && type !== undefined) keys[k.AttributeName] = type;
    }
    return Object.keys(keys).length === 0 ? undefined : keys;
  } catch (e) {
    if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

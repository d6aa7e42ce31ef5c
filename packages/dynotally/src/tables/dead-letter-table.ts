import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { ensureTtl } from './ensure-ttl.ts';
import type { ProvisionOptions } from './provision-options.ts';
import { provisionTable } from './provision-table.ts';

/**
 * Attribute names of the dead-letter table.
 *
 * @example
 * ```ts
 * const key = { [DEAD_LETTER_TABLE.partitionKey]: { S: `${streamArn}/${shardId}` }, [DEAD_LETTER_TABLE.sortKey]: { S: seq } };
 * ```
 */
export const DEAD_LETTER_TABLE = {
  /** Source stream and shard (S). */
  partitionKey: 'pk',
  /** Sequence number of the failed record (S). */
  sortKey: 'sk',
  /** Time-to-live attribute (N, epoch seconds). */
  ttl: 'ttl',
} as const;

/**
 * The `CreateTable` input for a dead-letter table: on-demand, `pk` (source/shard) and
 * `sk` (sequence number), both strings.
 *
 * @example
 * ```ts
 * const spec = deadLetterTableSpec('dynotally-dead-letters');
 * ```
 */
export function deadLetterTableSpec(name: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: DEAD_LETTER_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: DEAD_LETTER_TABLE.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: DEAD_LETTER_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: DEAD_LETTER_TABLE.sortKey, KeyType: 'RANGE' },
    ],
  };
}

/**
 * Creates (or verifies) the dead-letter table and enables TTL on `ttl`. Idempotent.
 *
 * @example
 * ```ts
 * await createDeadLetterTable(client, 'dynotally-dead-letters');
 * ```
 */
export async function createDeadLetterTable(
  client: DynamoDBClient,
  name: string,
  options: ProvisionOptions = {},
): Promise<TableDescription> {
  const table = await provisionTable(client, deadLetterTableSpec(name), options);
  await ensureTtl(client, name, DEAD_LETTER_TABLE.ttl);
  return table;
}

import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { ensureTtl } from './ensure-ttl.ts';
import type { ProvisionOptions } from './provision-options.ts';
import { provisionTable } from './provision-table.ts';

/**
 * Attribute names of the lease table (shard leases and checkpoints of the stream worker).
 *
 * @example
 * ```ts
 * const key = { [LEASE_TABLE.partitionKey]: { S: `shard#${shardId}` } };
 * ```
 */
export const LEASE_TABLE = {
  partitionKey: 'pk',
  /** Time to live (epoch seconds): set on finished shard leases and on worker presences, never on a live lease. */
  ttl: 'ttl',
} as const;

/**
 * The `CreateTable` input for a lease table: on-demand, partition key `pk` (S) only.
 *
 * @example
 * ```ts
 * const spec = leaseTableSpec('dynotally-leases');
 * ```
 */
export function leaseTableSpec(name: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: LEASE_TABLE.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: LEASE_TABLE.partitionKey, KeyType: 'HASH' }],
  };
}

/**
 * Creates (or verifies) the lease table and enables TTL on `ttl` (which bounds how long finished shard leases and
 * crashed workers' presences stay). Idempotent: a lease table created before gets its TTL enabled.
 *
 * @example
 * ```ts
 * await createLeaseTable(client, 'dynotally-leases');
 * ```
 */
export async function createLeaseTable(
  client: DynamoDBClient,
  name: string,
  options: ProvisionOptions = {},
): Promise<TableDescription> {
  const table = await provisionTable(client, leaseTableSpec(name), options);
  await ensureTtl(client, name, LEASE_TABLE.ttl);
  return table;
}

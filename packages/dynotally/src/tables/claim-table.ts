import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { ensureTtl } from './ensure-ttl.ts';
import type { ProvisionOptions } from './provision-options.ts';
import { provisionTable } from './provision-table.ts';

/**
 * Attribute names of the claim table: the per-item claims of rollup versions under backfill and the backfill's
 * per-segment progress. Claims expire through DynamoDB TTL on `ttl`.
 *
 * @example
 * ```ts
 * const key = { [CLAIM_TABLE.partitionKey]: { S: 'store.v2#[["id","S","o-1"]]' } };
 * ```
 */
export const CLAIM_TABLE = {
  partitionKey: 'pk',
  ttl: 'ttl',
} as const;

/**
 * The `CreateTable` input for a claim table: on-demand, partition key `pk` (S) only.
 *
 * @example
 * ```ts
 * const spec = claimTableSpec('dynotally-claims');
 * ```
 */
export function claimTableSpec(name: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: CLAIM_TABLE.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: CLAIM_TABLE.partitionKey, KeyType: 'HASH' }],
  };
}

/**
 * Creates (or verifies) the claim table and enables TTL on `ttl`. Idempotent.
 *
 * @example
 * ```ts
 * await createClaimTable(client, 'dynotally-claims');
 * ```
 */
export async function createClaimTable(
  client: DynamoDBClient,
  name: string,
  options: ProvisionOptions = {},
): Promise<TableDescription> {
  const table = await provisionTable(client, claimTableSpec(name), options);
  await ensureTtl(client, name, CLAIM_TABLE.ttl);
  return table;
}

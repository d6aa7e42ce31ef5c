import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { aggregateTableSpec, ensureTtl, provisionTable } from '../../packages/dynotally/src/tables/index.ts';

/**
 * The tables the DynamoDB Local row-cost bench writes to, one per store feature under test:
 * `plain` (`pk`/`sk` only, what naive writes), `ttl` (plain + TTL on `ttl`), `gsi` (the aggregate table's
 * key schema and its `leaderboard` GSI projecting all attributes, no TTL), `gsiKeys` (the same GSI projecting
 * keys only) and `agg` (the library's aggregate table as `createAggregateTable` makes it: GSI and TTL).
 *
 * @example
 * ```ts
 * const name = COST_TABLES.agg; // 'cost-agg'
 * ```
 */
export const COST_TABLES = {
  plain: 'cost-plain',
  ttl: 'cost-ttl',
  gsi: 'cost-gsi',
  gsiKeys: 'cost-gsi-keys',
  agg: 'cost-agg',
} as const;

/** One of {@link COST_TABLES}' kinds. */
export type CostTable = keyof typeof COST_TABLES;

/**
 * The `CreateTable` input of a `pk`/`sk` table without indexes.
 *
 * @example
 * ```ts
 * await provisionTable(client, plainTableSpec('t'));
 * ```
 */
export function plainTableSpec(name: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

/**
 * Creates every table of {@link COST_TABLES} (idempotent).
 *
 * @example
 * ```ts
 * await createCostTables(client);
 * ```
 */
export async function createCostTables(client: DynamoDBClient): Promise<void> {
  await provisionTable(client, plainTableSpec(COST_TABLES.plain));
  await provisionTable(client, plainTableSpec(COST_TABLES.ttl));
  await ensureTtl(client, COST_TABLES.ttl, 'ttl');
  await provisionTable(client, aggregateTableSpec(COST_TABLES.gsi));
  const keysOnly = aggregateTableSpec(COST_TABLES.gsiKeys);
  for (const index of keysOnly.GlobalSecondaryIndexes ?? [])
    index.Projection = { ProjectionType: 'KEYS_ONLY' };
  await provisionTable(client, keysOnly);
  await provisionTable(client, aggregateTableSpec(COST_TABLES.agg));
  await ensureTtl(client, COST_TABLES.agg, 'ttl');
}

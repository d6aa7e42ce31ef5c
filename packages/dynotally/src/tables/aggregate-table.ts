import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { ensureTtl } from './ensure-ttl.ts';
import type { ProvisionOptions } from './provision-options.ts';
import { provisionTable } from './provision-table.ts';

/**
 * Attribute and index names of the aggregate table.
 *
 * @example
 * ```ts
 * const key = { [AGGREGATE_TABLE.partitionKey]: { S: pk }, [AGGREGATE_TABLE.sortKey]: { S: 'M2026-11' } };
 * ```
 */
export const AGGREGATE_TABLE = {
  /** Rollup + encoded group (S). */
  partitionKey: 'pk',
  /** Sortable bucket id (S), e.g. `H2026-11-22T13`, `M2026-11`, `ALL`. */
  sortKey: 'sk',
  /**
   * The sparse leaderboard GSI: only rows carrying `lbk` appear in it. (DynamoDB index names
   * need 3 to 255 characters, so the design's `lb` is spelled out.)
   */
  leaderboardIndex: 'leaderboard',
  /** Leaderboard partition (S): rollup + bucket (+ shard when hot). */
  leaderboardPartitionKey: 'lbk',
  /** Leaderboard sort key (N): the ranked measure. */
  leaderboardSortKey: 'lbv',
  /** Time-to-live attribute (N, epoch seconds). */
  ttl: 'ttl',
} as const;

/**
 * The `CreateTable` input for an aggregate table: on-demand, `pk`/`sk` strings, and the sparse
 * leaderboard index `leaderboard` (`lbk` S, `lbv` N, all attributes projected). TTL is set separately.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(aggregateTableSpec('dynotally-aggregates'), null, 2));
 * ```
 */
export function aggregateTableSpec(name: string): CreateTableCommandInput & { TableName: string } {
  const t = AGGREGATE_TABLE;
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: t.partitionKey, AttributeType: 'S' },
      { AttributeName: t.sortKey, AttributeType: 'S' },
      { AttributeName: t.leaderboardPartitionKey, AttributeType: 'S' },
      { AttributeName: t.leaderboardSortKey, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: t.partitionKey, KeyType: 'HASH' },
      { AttributeName: t.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: t.leaderboardIndex,
        KeySchema: [
          { AttributeName: t.leaderboardPartitionKey, KeyType: 'HASH' },
          { AttributeName: t.leaderboardSortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/**
 * Creates the aggregate table unless it exists, verifies its schema (`TABLE_SCHEMA_MISMATCH`
 * listing expected vs found), waits until it and its index are ACTIVE and enables TTL on `ttl`.
 * Idempotent.
 *
 * @example
 * ```ts
 * const table = await createAggregateTable(client, 'dynotally-aggregates');
 * ```
 */
export async function createAggregateTable(
  client: DynamoDBClient,
  name: string,
  options: ProvisionOptions = {},
): Promise<TableDescription> {
  const table = await provisionTable(client, aggregateTableSpec(name), options);
  await ensureTtl(client, name, AGGREGATE_TABLE.ttl);
  return table;
}

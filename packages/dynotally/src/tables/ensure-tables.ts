import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAggregateTable } from './aggregate-table.ts';
import { createDeadLetterTable } from './dead-letter-table.ts';
import { createLeaseTable } from './lease-table.ts';
import type { ProvisionOptions } from './provision-options.ts';

/** Names of the tables {@link ensureTables} provisions. */
export interface TableNames {
  /** Aggregate (rollup rows) table. */
  aggregate: string;
  /** Dead-letter table, when records that cannot be applied are kept in DynamoDB. */
  deadLetter?: string;
  /** Lease and checkpoint table of the stream worker. */
  leases?: string;
}

/**
 * Creates or verifies, in parallel, every table dynotally needs. Idempotent.
 *
 * @example
 * ```ts
 * await ensureTables(client, { aggregate: 'dynotally-aggregates', deadLetter: 'dynotally-dlq', leases: 'dynotally-leases' });
 * ```
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: ProvisionOptions = {},
): Promise<void> {
  await Promise.all([
    createAggregateTable(client, names.aggregate, options),
    names.deadLetter === undefined ? undefined : createDeadLetterTable(client, names.deadLetter, options),
    names.leases === undefined ? undefined : createLeaseTable(client, names.leases, options),
  ]);
}

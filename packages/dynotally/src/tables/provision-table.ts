import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import { describeTable } from './describe-table.ts';
import type { ProvisionOptions } from './provision-options.ts';
import { formatKeySchema, schemaDifferences } from './schema-differences.ts';
import { waitForActive } from './wait-for-active.ts';

/**
 * Creates the table `spec` describes unless it exists, checks an existing table has the
 * spec's key schema and indexes (`TABLE_SCHEMA_MISMATCH` otherwise, listing expected vs found)
 * and waits until it is ACTIVE. Safe to run concurrently and repeatedly.
 *
 * @example
 * ```ts
 * const table = await provisionTable(client, leaseTableSpec('dynotally-leases'));
 * ```
 */
export async function provisionTable(
  client: DynamoDBClient,
  spec: CreateTableCommandInput & { TableName: string },
  options: ProvisionOptions = {},
): Promise<TableDescription> {
  const name = spec.TableName;
  let existing = await describeTable(client, name);
  if (!existing) {
    try {
      existing = (await client.send(new CreateTableCommand(spec))).TableDescription;
    } catch (err) {
      // Someone else created it between our DescribeTable and CreateTable.
      if (!(err instanceof ResourceInUseException)) throw err;
      existing = await describeTable(client, name);
    }
  }
  if (existing) assertTableFits(spec, existing);
  const table = await waitForActive(client, name, options.timeoutMs);
  assertTableFits(spec, table);
  return table;
}

/**
 * Refuses a table whose schema dynotally cannot use as the given spec's (`TABLE_SCHEMA_MISMATCH`, naming the
 * differences).
 *
 * @example
 * ```ts
 * const found = await describeTable(client, 'dynotally-claims');
 * if (found !== undefined) assertTableFits(claimTableSpec('dynotally-claims'), found);
 * ```
 */
export function assertTableFits(
  spec: CreateTableCommandInput & { TableName: string },
  table: TableDescription,
): void {
  const differences = schemaDifferences(spec, table);
  if (differences.length === 0) return;
  const index = (t: { GlobalSecondaryIndexes?: { IndexName?: string }[] }): string[] =>
    (t.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName ?? '?');
  throw new DynotallyError(
    'TABLE_SCHEMA_MISMATCH',
    `table '${spec.TableName}' exists with a schema dynotally cannot use: ${differences.join('; ')}. Use another table name, or delete the table and let dynotally create it (its data is lost)`,
    {
      details: {
        table: spec.TableName,
        differences,
        expected: {
          keySchema: formatKeySchema(spec.KeySchema, spec.AttributeDefinitions),
          indexes: index(spec),
        },
        found: {
          keySchema: formatKeySchema(table.KeySchema, table.AttributeDefinitions),
          indexes: index(table),
        },
      },
    },
  );
}

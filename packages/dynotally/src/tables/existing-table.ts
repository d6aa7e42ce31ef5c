import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { describeTable } from './describe-table.ts';
import { assertTableFits } from './provision-table.ts';

/**
 * Checks that a table dynotally is given but does not create exists with the schema of `spec`, before anything
 * records its name: a backfill binds its version to its claim table at its first claim, for every process after it
 * (`bindClaimTable`), so a missing table or another one (the aggregate table by mistake) must be refused first.
 * The `DescribeTable` is retried on throttling and transient errors like every other request of a run
 * (`withRetry`; review s41b).
 *
 * @throws {DynotallyError} `TABLE_NOT_FOUND` when it does not exist; `TABLE_SCHEMA_MISMATCH` when it is keyed
 *   otherwise.
 * @example
 * ```ts
 * await requireTable(client, claimTableSpec('dynotally-claims'), 'claim', 'create it with createClaimTable');
 * ```
 */
export async function requireTable(
  client: DynamoDBClient,
  spec: CreateTableCommandInput & { TableName: string },
  kind: string,
  remedy: string,
): Promise<TableDescription> {
  const found = await withRetry(() => describeTable(client, spec.TableName));
  if (found === undefined)
    throw new DynotallyError(
      'TABLE_NOT_FOUND',
      `${kind} table '${spec.TableName}' does not exist: ${remedy}`,
      {
        details: { table: spec.TableName },
      },
    );
  assertTableFits(spec, found);
  return found;
}

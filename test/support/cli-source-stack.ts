// The set-up of a CLI test over existing data (`verify`, `backfill`): the four tables made through the bin, a
// claim table, and a source table holding a scenario generator's live items.
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { expect } from 'vitest';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import type { SourceChange } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';
import { cliTables, liveItems, runDynotally } from './cli.ts';
import { uniqueTableName } from './ddb.ts';

/** The tables of {@link cliSourceStack} and the flags that point `dynotally` at them. */
export interface CliSourceStack {
  tables: ReturnType<typeof cliTables>['tables'];
  /** The claim table `backfill` and `verify --repair` use. */
  claims: string;
  /** `--endpoint` and the four tables. */
  flags: string[];
  /** {@link CliSourceStack.flags}, the claim table and `--settle 0s`: for `backfill` and `verify`. */
  work: string[];
}

/**
 * Makes tables named after `prefix` (`dynotally tables create` through the bin, and a claim table) and writes the
 * live items of `changes` to the source table.
 *
 * @example
 * ```ts
 * const { work } = await cliSourceStack(clients.ddb, endpoint, 'vr', changes);
 * await runDynotally(['verify', 'favourites', ...work]);
 * ```
 */
export async function cliSourceStack(
  ddb: DynamoDBClient,
  endpoint: string,
  prefix: string,
  changes: readonly SourceChange[],
): Promise<CliSourceStack> {
  const { tables, flags: flagsFor } = cliTables(prefix);
  const claims = uniqueTableName(`${prefix}-claims`);
  const flags = flagsFor(endpoint);
  const created = await runDynotally(['tables', 'create', ...flags, '--json']);
  expect(created.code, created.stderr).toBe(0);
  await createClaimTable(ddb, claims);
  const items = liveItems(changes);
  for (let i = 0; i < items.length; i += 25) {
    let req: Record<string, WriteRequest[]> | undefined = {
      [tables.source]: items.slice(i, i + 25).map((it) => ({ PutRequest: { Item: marshall(it) } })),
    };
    while (req && Object.keys(req).length > 0)
      req = (await ddb.send(new BatchWriteItemCommand({ RequestItems: req }))).UnprocessedItems;
  }
  return { tables, claims, flags, work: [...flags, '--claim-table', claims, '--settle', '0s'] };
}

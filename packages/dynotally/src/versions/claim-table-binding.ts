import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { controlKey, versionAttr } from './control-item.ts';
import { readControl } from './control-store.ts';

/**
 * The write that binds a version under backfill to one claim table: set when absent, accepted when equal, refused
 * otherwise. A version registered with a build id (`scope`: `v<n>.claims` is a map `{ scope }`) gets
 * `v<n>.claims.table`; one an earlier release registered gets `v<n>.claims` as a string, as that release binds it.
 *
 * @example
 * ```ts
 * claimTableParams('aggregates', 'store', 2, 'dynotally-claims', 'k3j5x0abcdefgh2q').ConditionExpression;
 * // 'attribute_exists(#v.#claims.#scope) AND (attribute_not_exists(#v.#claims.#table) OR #v.#claims.#table = :t)'
 * ```
 */
export function claimTableParams(
  table: string,
  rollup: string,
  version: number,
  claimTable: string,
  scope?: string | undefined,
): UpdateItemCommandInput {
  if (scope !== undefined)
    return {
      TableName: table,
      Key: controlKey(rollup),
      UpdateExpression: 'SET #v.#claims.#table = :t',
      ConditionExpression:
        'attribute_exists(#v.#claims.#scope) AND (attribute_not_exists(#v.#claims.#table) OR #v.#claims.#table = :t)',
      ExpressionAttributeNames: {
        '#v': versionAttr(version),
        '#claims': 'claims',
        '#scope': 'scope',
        '#table': 'table',
      },
      ExpressionAttributeValues: { ':t': { S: claimTable } },
    };
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: 'SET #v.#claims = :t',
    ConditionExpression: 'attribute_exists(#v) AND (attribute_not_exists(#v.#claims) OR #v.#claims = :t)',
    ExpressionAttributeNames: { '#v': versionAttr(version), '#claims': 'claims' },
    ExpressionAttributeValues: { ':t': { S: claimTable } },
  };
}

/**
 * Binds a version under backfill to the claim table a process claims in, or refuses a process given another one.
 * The stream side and the backfill decide together, through the claims, which of them counts each item changed
 * during the build: in two tables neither sees the other's claims, and every such item is counted twice. The first
 * process to claim for the version records its table (`v<n>.claims`, or `v<n>.claims.table` for a version
 * registered with a build id: give its `claimScope`); every later one, stream side or backfill, must name the same.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both tables when the version is bound to another one;
 *   `VERSION_UNKNOWN` when the version is not in the control item.
 * @example
 * ```ts
 * await bindClaimTable(client, 'aggregates', 'store', 2, 'dynotally-claims', entry.claimScope);
 * ```
 */
export async function bindClaimTable(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  claimTable: string,
  scope?: string | undefined,
): Promise<void> {
  try {
    await withRetry(() =>
      client.send(new UpdateItemCommand(claimTableParams(table, rollup, version, claimTable, scope))),
    );
    return;
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
  const entry = (await readControl(client, table, rollup))?.versions.find((v) => v.version === version);
  if (entry === undefined)
    throw new DynotallyError('VERSION_UNKNOWN', `rollup '${rollup}' has no version ${version}`, {
      details: { rollup, version },
    });
  throw claimTableRefused(rollup, version, entry.claimTable, claimTable);
}

/**
 * The refusal of a claim table other than the one a version under backfill is bound to.
 *
 * @example
 * ```ts
 * throw claimTableRefused('store', 2, 'orders-claims', 'dynotally-claims');
 * ```
 */
export function claimTableRefused(
  rollup: string,
  version: number,
  bound: string | undefined,
  given: string,
): DynotallyError {
  return new DynotallyError(
    'CONFIG_INVALID',
    `version ${version} of rollup '${rollup}' is built with the claims in table '${bound}', and this process was given '${given}': the stream side and the backfill must claim in one table (in two, every item changed during the build is counted twice); give '${bound}' (dynotally worker and dynotally backfill: --claim-table ${bound})`,
    { details: { rollup, version, claimTable: bound, given } },
  );
}

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
 * The write that binds a version under backfill to one claim table (`v<n>.claims` in its control item): set when
 * absent, accepted when equal, refused otherwise.
 *
 * @example
 * ```ts
 * claimTableParams('aggregates', 'store', 2, 'dynotally-claims').ConditionExpression;
 * // 'attribute_exists(#v) AND (attribute_not_exists(#v.#claims) OR #v.#claims = :t)'
 * ```
 */
export function claimTableParams(
  table: string,
  rollup: string,
  version: number,
  claimTable: string,
): UpdateItemCommandInput {
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
 * process to claim for the version records its table (`v<n>.claims`); every later one, stream side or backfill,
 * must name the same.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both tables when the version is bound to another one;
 *   `VERSION_UNKNOWN` when the version is not in the control item.
 * @example
 * ```ts
 * await bindClaimTable(client, 'aggregates', 'store', 2, 'dynotally-claims');
 * ```
 */
export async function bindClaimTable(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  claimTable: string,
): Promise<void> {
  try {
    await withRetry(() =>
      client.send(new UpdateItemCommand(claimTableParams(table, rollup, version, claimTable))),
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

import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { describeTable } from '../tables/describe-table.ts';
import { controlKey, type VersionEntry, versionAttr } from './control-item.ts';
import { isUnfinished, readControl } from './control-store.ts';

/**
 * The write that binds a started backfill to one source table (`v<n>.backfill.source`, the table's ARN): set when
 * absent, accepted when equal, refused otherwise; only once the backfill's start is recorded and while the version
 * builds (or serves, promoted by force before its backfill ended).
 *
 * @example
 * ```ts
 * sourceTableParams('aggregates', 'store', 2, 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders');
 * ```
 */
export function sourceTableParams(
  table: string,
  rollup: string,
  version: number,
  source: string,
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: 'SET #v.#bf.#src = :s',
    ConditionExpression:
      '#v.#state IN (:building, :serving) AND attribute_exists(#v.#bf) AND (attribute_not_exists(#v.#bf.#src) OR #v.#bf.#src = :s)',
    ExpressionAttributeNames: {
      '#v': versionAttr(version),
      '#state': 'state',
      '#bf': 'backfill',
      '#src': 'source',
    },
    ExpressionAttributeValues: {
      ':s': { S: source },
      ':building': { S: 'building' },
      ':serving': { S: 'serving' },
    },
  };
}

/**
 * Binds a version's started backfill to the source table a process scans (its ARN, from `DescribeTable`), or
 * refuses a process given another one. A build is spread over processes (`onlySegments`), resumed, or finished by a
 * repair, each given its own `source`: one given another table would fold that table's items into the version and
 * mark its segments done, and the version would complete with counts from two tables. The first start records the
 * table with itself; a start an earlier release recorded gets it from the first process of this release.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both tables when the build scans another one;
 *   `BACKFILL_REFUSED` when the version is no longer building.
 * @example
 * ```ts
 * await bindSourceTable(client, 'aggregates', 'store', 2, desc.TableArn ?? 'orders');
 * ```
 */
export async function bindSourceTable(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  source: string,
): Promise<void> {
  try {
    await withRetry(() =>
      client.send(new UpdateItemCommand(sourceTableParams(table, rollup, version, source))),
    );
    return;
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
  const entry = (await readControl(client, table, rollup))?.versions.find((v) => v.version === version);
  const bound = entry?.backfill?.source;
  if (entry !== undefined && isUnfinished(entry) && bound !== undefined && bound !== source)
    throw sourceTableRefused(rollup, version, bound, source);
  throw new DynotallyError(
    'BACKFILL_REFUSED',
    `version ${version} of rollup '${rollup}' is ${entry?.state ?? 'no longer registered'}: only a building version is backfilled`,
    { details: { rollup, version, state: entry?.state } },
  );
}

/**
 * Refuses a source table other than the one a version's backfill was bound to (its ARN, from `DescribeTable`), for
 * a process that acts on the version without scanning: a repair that only promotes a version it finds `ready`.
 * Nothing when no table is bound (a backfill an earlier release ended, or a version built without one).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both tables; `TABLE_NOT_FOUND` when `source` does not exist.
 * @example
 * ```ts
 * await checkSourceTable(client, 'orders', 'store', entry);
 * ```
 */
export async function checkSourceTable(
  client: DynamoDBClient,
  source: string,
  rollup: string,
  entry: VersionEntry,
): Promise<void> {
  const bound = entry.backfill?.source;
  if (bound === undefined) return;
  const desc = await describeTable(client, source);
  if (desc === undefined)
    throw new DynotallyError('TABLE_NOT_FOUND', `source table '${source}' does not exist`, {
      details: { table: source },
    });
  const given = desc.TableArn ?? source;
  if (given !== bound) throw sourceTableRefused(rollup, entry.version, bound, given);
}

/**
 * The refusal of a source table other than the one a version's backfill started on.
 *
 * @example
 * ```ts
 * throw sourceTableRefused('store', 2, 'arn:aws:dynamodb:eu-west-1:1:table/orders', 'arn:aws:dynamodb:eu-west-1:1:table/orders-staging');
 * ```
 */
export function sourceTableRefused(
  rollup: string,
  version: number,
  bound: string,
  given: string,
): DynotallyError {
  return new DynotallyError(
    'CONFIG_INVALID',
    `version ${version} of rollup '${rollup}' is built from source table ${bound} (its backfill started on it), and this process was given ${given}: every process of one build scans one table (another table's items would be counted into the version beside the first one's); give the table it started on (dynotally backfill and verify --repair: --source-table or the config's source), or retire the version and build it again`,
    { details: { rollup, version, source: bound, given } },
  );
}

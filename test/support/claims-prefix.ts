// Where a version's claims and backfill progress are in the claim table: its key prefix and the build id its
// registration recorded (`claimPrefix`), so a test can read or plant claims and progress items.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { claimPrefix } from '../../packages/dynotally/src/versions/claim-scope.ts';
import { readControl } from '../../packages/dynotally/src/versions/control-store.ts';
import { versionKeyPrefix } from '../../packages/dynotally/src/versions/version-prefix.ts';

/**
 * The claim-table prefix of version `version` of `rollup` registered in `table` (`store.v2~<build id>`).
 *
 * @example
 * ```ts
 * const pk = claimKey(await claimsPrefixOf(clients.ddb, table, 'store', 2), { id: { S: 'o-1' } });
 * ```
 */
export async function claimsPrefixOf(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
): Promise<string> {
  const entry = (await readControl(client, table, rollup))?.versions.find((v) => v.version === version);
  if (entry === undefined) throw new Error(`rollup '${rollup}' has no version ${version} in ${table}`);
  return claimPrefix(versionKeyPrefix(rollup, version), entry.claimScope);
}

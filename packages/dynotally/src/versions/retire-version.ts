import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem } from './control-item.ts';
import { retireUnservedParams } from './control-params.ts';
import { readControl } from './control-store.ts';

/**
 * Retires a version that does not serve (`building` or `ready`) in one conditional write: stream sides stop writing
 * it from their next batch, a backfill building it ends with `BACKFILL_REFUSED`, it can never serve, and
 * `deleteRetiredVersions` deletes its rows. The way back from a changed definition that was registered and then
 * rolled back: processes of the old deployment refuse batches while a newer version they do not deploy is being
 * written (`VERSION_NOT_DEPLOYED`), and go on once it is retired. A version already retired is left as it is. To
 * try the same definition again later, rebuild it as a new version (`repairRollup`, `dynotally verify <rollup>
 * --repair`): its retired version stays retired.
 *
 * @returns The control item afterwards.
 * @throws {DynotallyError} `RETIRE_REFUSED` for the serving version; `VERSION_UNKNOWN` for a version the control
 *   item does not have.
 * @example
 * ```ts
 * await retireVersion(client, 'aggregates', 'store', 2); // rolled back to the definition of version 1
 * ```
 */
export async function retireVersion(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  options: { now?: number } = {},
): Promise<ControlItem> {
  const control = await readControl(client, table, rollup);
  const v = control?.versions.find((x) => x.version === version);
  if (control === undefined || v === undefined)
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${rollup}' has no version ${version}: see dynotally rollups status ${rollup}`,
      { details: { rollup, version } },
    );
  if (v.state !== 'retired') {
    try {
      await withRetry(() =>
        client.send(
          new UpdateItemCommand(
            retireUnservedParams(table, rollup, { version, now: options.now ?? Date.now() }),
          ),
        ),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
  const after = (await readControl(client, table, rollup)) as ControlItem;
  const state = after.versions.find((x) => x.version === version)?.state;
  if (state !== 'retired')
    throw new DynotallyError(
      'RETIRE_REFUSED',
      `version ${version} of rollup '${rollup}' ${state === 'serving' ? 'serves reads' : `is ${state}`}: a serving version is not retired (promote another version first: dynotally rollups promote ${rollup} <version>)`,
      { details: { rollup, version, state } },
    );
  return after;
}

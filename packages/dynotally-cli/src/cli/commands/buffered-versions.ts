import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ControlItem, DynotallyError, type Rollup, readControls, type WriteSide } from 'dynotally';
import type { Settings } from '../config/settings.ts';
import { withApply } from './wrapped-side.ts';

/**
 * Why the Redis buffer (which writes a rollup's version-1 rows only) must not write `rollup`, given its control
 * item, or `undefined` when it may: no control item (nothing registered: version 1), or version 1 serving with the
 * configured definition and no other version being built.
 *
 * @example
 * ```ts
 * bufferedVersionProblem(storeMetrics, control); // "rollup 'store' serves version 2: …"
 * ```
 */
export function bufferedVersionProblem(rollup: Rollup, control: ControlItem | undefined): string | undefined {
  if (control === undefined) return undefined;
  const name = rollup.compiled.name;
  const v1 = control.versions.find((v) => v.version === 1);
  const building = control.versions.filter(
    (v) => v.version !== 1 && (v.state === 'building' || v.state === 'ready'),
  );
  if (control.serving !== 1)
    return `rollup '${name}' ${control.serving === undefined ? 'has no serving version yet' : `serves version ${control.serving}`}, and the Redis buffer writes version 1 only`;
  if (v1 !== undefined && v1.fingerprint !== rollup.compiled.fingerprint)
    return `the configuration's definition of rollup '${name}' is not the one version 1 was registered with (it changed), and the Redis buffer writes version 1 only`;
  if (building.length > 0)
    return `version ${building.map((v) => v.version).join(', ')} of rollup '${name}' is being built, and the Redis buffer writes version 1 only`;
  return undefined;
}

/**
 * Refuses buffered mode (`dynotally worker --redis`) when a configured rollup's control item says that version-1
 * rows of the configured definition are not all that should be written (another version serves or is being built,
 * or the definition changed): the buffer would silently write the wrong rows. One `BatchGetItem` for every rollup's
 * control item (a strongly consistent read of up to 100 a request).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the rollup and what to run instead.
 * @example
 * ```ts
 * await checkBufferedVersions(client, settings); // before the worker starts
 * ```
 */
export async function checkBufferedVersions(
  client: DynamoDBClient,
  settings: Pick<Settings, 'rollups' | 'tables'>,
): Promise<void> {
  const controls = await readControls(
    client,
    settings.tables.aggregate,
    settings.rollups.map((r) => r.compiled.name),
  );
  for (const rollup of settings.rollups) {
    const control = controls.get(rollup.compiled.name);
    const problem = bufferedVersionProblem(rollup, control);
    if (problem !== undefined)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `worker --redis: ${problem}; run the worker without --redis (it writes every version: dynotally worker --help), or see dynotally rollups status ${rollup.compiled.name}`,
        { details: { rollup: rollup.compiled.name, serving: control?.serving } },
      );
  }
}

/**
 * The buffered write side with {@link checkBufferedVersions} before every batch: once a rollup's control item says
 * that version 1 is no longer all there is to write (a repair, a backfill or a direct worker registered another
 * version while this worker ran), the batch fails before anything is written and `stop` is called, so the worker
 * stops without checkpointing it (a stopping worker abandons a failed batch instead of retrying or dead-lettering
 * it), and a worker without `--redis` takes the records up from there through the versions.
 *
 * @example
 * ```ts
 * const side = guardedBufferedSide(buffered.start(client), () => checkBufferedVersions(client, settings), (e) => {
 *   reason ??= e;
 *   void worker.stop();
 * });
 * ```
 */
export function guardedBufferedSide(
  side: WriteSide,
  check: () => Promise<void>,
  stop: (reason: unknown) => void,
): WriteSide {
  return withApply(side, async (input) => {
    try {
      await check();
    } catch (e) {
      stop(e);
      throw e;
    }
    return side.apply(input);
  });
}

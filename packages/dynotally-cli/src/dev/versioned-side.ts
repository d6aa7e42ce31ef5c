import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createVersionedWriteSide,
  type DynotallyError,
  type Rollup,
  type VersionedWriteSideOptions,
  type WriteSide,
} from 'dynotally';
import { liveAlsoWrite } from '../cli/commands/also-write-live.ts';
import { DEFAULT_CLAIM_TABLE } from '../cli/commands/rollup-work.ts';
import { prepareDirectSide } from '../cli/commands/worker-direct.ts';
import { stopOnRefusal } from '../cli/commands/worker-refusals.ts';
import type { DevTables } from './dev-stack.ts';

/**
 * Options of {@link devVersionedSide}.
 *
 * @example
 * ```ts
 * const options: DevVersionedSideOptions = { rollups: [orders], alsoWrite: [], tables, log: console.error, onRefusal };
 * ```
 */
export interface DevVersionedSideOptions {
  /** Your rollups (the configuration's `rollups`). */
  readonly rollups: readonly Rollup[];
  /** The configuration's `alsoWrite`. */
  readonly alsoWrite: readonly Rollup[];
  /**
   * The stack's tables; `claims` (default `dynotally-claims`) is created only when a version goes through the claims
   * (being built, or promoted before its backfill ended).
   */
  readonly tables: DevTables;
  /** Notes for stderr: alsoWrite left out, versions being built, the alsoWrite definitions written. */
  readonly log: (line: string) => void;
  /**
   * Called when a batch is refused for the configuration (a newer version registered by another configuration,
   * or a definition retired meanwhile), with the reason naming `dev`; the batch fails, unwritten.
   */
  readonly onRefusal: (reason: DynotallyError) => void;
  /**
   * The configuration's applier settings (`mode`, and `strategy` and `write.api` when it sets them:
   * `directApplierOptions`), as `dynotally worker` writes with them; the applier's defaults when absent.
   * `strategy: 'transaction'` is refused (`CONFIG_INVALID`): rollup versions cannot use it.
   */
  readonly apply?: VersionedWriteSideOptions['apply'];
}

/**
 * The write side of `dev --scenarios none`'s worker, started as `dynotally worker` starts its own (without
 * `--redis`): the alsoWrite definitions checked against the control items (`liveAlsoWrite`), then
 * `prepareDirectSide` (a configured definition whose versions are all retired is refused, `VERSION_UNKNOWN`; the
 * definitions are registered by an empty batch, refused with `VERSION_NOT_DEPLOYED` when the configuration lacks a
 * newer version; the claim table is created only when a version goes through the claims), and the side wrapped in
 * `stopOnRefusal`. Every refusal names `dev`.
 *
 * @returns the side for the worker, and the alsoWrite definitions it writes (a serving query client reads with them).
 * @throws {DynotallyError} what `liveAlsoWrite` and `prepareDirectSide` refuse, before the worker starts.
 * @example
 * ```ts
 * const { side, alsoWrite } = await devVersionedSide(client, { rollups, alsoWrite: [], tables, log, onRefusal });
 * const worker = createStreamWorker({ ...options, rollups: side.rollups, applier: side });
 * ```
 */
export async function devVersionedSide(
  client: DynamoDBClient,
  options: DevVersionedSideOptions,
): Promise<{ readonly side: WriteSide; readonly alsoWrite: readonly Rollup[] }> {
  const { rollups, tables, log } = options;
  const claimTable = tables.claims ?? DEFAULT_CLAIM_TABLE;
  // the serving definitions kept in alsoWrite during a rollout, checked before anything is registered
  const also = await liveAlsoWrite(client, { rollups, alsoWrite: options.alsoWrite, tables }, 'dev');
  for (const note of also.notes) log(note);
  const side = createVersionedWriteSide({
    client,
    table: tables.aggregate,
    claimTable,
    rollups: [...rollups, ...also.alsoWrite],
    ...(options.apply === undefined ? {} : { apply: options.apply }),
  });
  const written = { rollups, alsoWrite: also.alsoWrite, tables };
  const building = await prepareDirectSide(side, client, written, { claimTable, command: 'dev' });
  if (building.length > 0)
    log(`building: ${building.join('; ')}; the stream is written through the claims in ${claimTable}`);
  if (also.alsoWrite.length > 0)
    log(
      `also writing (alsoWrite): the other definition of ${also.alsoWrite.map((r) => r.compiled.name).join(', ')}, in its version, until that version is retired`,
    );
  return { side: stopOnRefusal(side, options.onRefusal, 'dev'), alsoWrite: also.alsoWrite };
}

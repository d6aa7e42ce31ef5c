import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createClaimTable,
  createVersionedWriteSide,
  DynotallyError,
  readControl,
  versionsOfDefinition,
  type WriteSide,
} from 'dynotally';
import type { Settings } from '../config/settings.ts';
import { finishCommand } from './finish-command.ts';
import type { WritingCommand } from './writing-command.ts';

/**
 * The flags that only mean something in direct mode (without `--redis`).
 *
 * @example
 * ```ts
 * DIRECT_ONLY_FLAGS.includes('--first-version'); // true
 * ```
 */
export const DIRECT_ONLY_FLAGS = ['--first-version', '--claim-table'] as const;

/**
 * The `dynotally worker` flags of direct mode.
 *
 * @example
 * ```ts
 * const flags: DirectWorkerFlags = { firstVersion: 'building', claimTable: 'dynotally-claims' };
 * ```
 */
export interface DirectWorkerFlags {
  /** State of a rollup's first version when it has no control item yet: `building` for one over an existing table. */
  firstVersion: 'serving' | 'building';
  /** The claim table shared with `dynotally backfill` (the stream side claims the items a backfill is building). */
  claimTable: string;
}

/**
 * The settings of the applier a direct worker (no `--redis`) writes through: the configuration's `mode`, and its
 * `strategy` and `write.api` when it sets them (else the applier's defaults), as `plan --dry-run` shows them.
 * Exactly-once, records past the redelivery horizon less 30 min are dead-lettered (`lateRecords: 'dead-letter'`,
 * as the worker's built-in handler does): a worker back after a day's outage reads them while the stream keeps
 * them, and their shard's state may be pruned from rows an earlier delivery reached.
 *
 * @example
 * ```ts
 * directApplierOptions({ mode: 'exactly-once', strategy: 'transaction', writeApi: undefined });
 * // { mode: 'exactly-once', strategy: 'transaction', lateRecords: 'dead-letter' }
 * ```
 */
export function directApplierOptions(settings: Pick<Settings, 'mode' | 'strategy' | 'writeApi'>): {
  mode: Settings['mode'];
  strategy?: 'row-watermark' | 'transaction';
  write?: { api: 'partiql' | 'update-item' };
  lateRecords?: 'dead-letter';
} {
  return {
    mode: settings.mode,
    ...(settings.mode === 'exactly-once' ? { lateRecords: 'dead-letter' as const } : {}),
    ...(settings.strategy === undefined ? {} : { strategy: settings.strategy }),
    ...(settings.writeApi === undefined ? {} : { write: { api: settings.writeApi } }),
  };
}

/**
 * The write side of `dynotally worker` in direct mode: `createVersionedWriteSide` over the configured rollups,
 * with the configuration's applier settings ({@link directApplierOptions}), so the worker registers each
 * configured definition (the first one of a rollup `serving`, or `building` with `--first-version building`; a
 * changed one as a new version, `building`), writes every version that is not retired under its own key prefix,
 * and counts the items a backfill is building through the claims.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for `strategy: 'transaction'`, which rollup versions cannot use.
 * @example
 * ```ts
 * const applier = directWriteSide(client, settings, { firstVersion: 'serving', claimTable: 'dynotally-claims' });
 * ```
 */
export function directWriteSide(
  client: DynamoDBClient,
  settings: Pick<Settings, 'mode' | 'strategy' | 'writeApi' | 'rollups' | 'alsoWrite' | 'tables'>,
  flags: DirectWorkerFlags,
): WriteSide {
  if (settings.strategy === 'transaction')
    throw new DynotallyError(
      'CONFIG_INVALID',
      "worker: strategy 'transaction' cannot be used with rollup versions (it leaves out of every rollup, a version a backfill is building included, the records at or below the shard's legacy '~wm#' watermark item of earlier releases, which that version's claims give to the stream side: they would be counted by neither), and the worker writes through versions; drop strategy 'transaction' from the configuration (the default 'row-watermark' is exactly once too)",
      { details: { strategy: settings.strategy } },
    );
  return createVersionedWriteSide({
    client,
    table: settings.tables.aggregate,
    claimTable: flags.claimTable,
    rollups: [...settings.rollups, ...settings.alsoWrite],
    firstVersion: flags.firstVersion,
    apply: directApplierOptions(settings),
  });
}

/**
 * Before the worker reads the stream: refuses a configured definition whose versions are all retired (the worker
 * would count its records nowhere; the write side would fail every batch), registers the configured definitions
 * (an empty batch through `side`, as its first batch would), then, when a version of a configured rollup is
 * building or ready (a backfill builds it, and the stream side claims the items it counts), or was promoted
 * (`--force`) before its backfill ended (the stream side still claims through it), creates the claim table if it
 * does not exist yet. A worker with nothing to build never touches the claim table. `dynotally worker`
 * and `dynotally dev --scenarios none` both start so; `options.command` names the one in the refusals (default
 * `worker`).
 *
 * @returns the versions being built, as `<rollup> version <n> (<state>: <the command that finishes it>)`, for
 *   the start line.
 * @throws {DynotallyError} `VERSION_UNKNOWN` for a configured definition whose versions are all retired (unless its
 *   alsoWrite definition is still written; `liveAlsoWrite` checks alsoWrite itself before the side is built);
 *   `VERSION_NOT_DEPLOYED` for a configured rollup with a newer version whose definition the configuration does
 *   not have (another worker's newer configuration registered it: the write side refuses every batch then).
 * @example
 * ```ts
 * const building = await prepareDirectSide(side, client, settings, { claimTable: 'dynotally-claims' });
 * ```
 */
export async function prepareDirectSide(
  side: WriteSide,
  client: DynamoDBClient,
  settings: Pick<Settings, 'rollups' | 'alsoWrite' | 'tables'>,
  options: { readonly claimTable: string; readonly command?: WritingCommand },
): Promise<string[]> {
  const { claimTable, command = 'worker' } = options;
  const names = [...new Set(settings.rollups.map((r) => r.compiled.name))];
  const read = () => Promise.all(names.map((n) => readControl(client, settings.tables.aggregate, n)));
  let controls = await read();
  // a definition whose versions are all retired (the configuration of before a promotion) is written by no
  // version: said here in the command line's terms, before the first batch (which the write side would fail).
  // A rollup whose other definition (alsoWrite) is still written is written: a rollout rolled back or promoted.
  for (const { compiled } of settings.rollups) {
    const control = controls[names.indexOf(compiled.name)];
    const mine = versionsOfDefinition(control, compiled.fingerprint);
    if (mine.length === 0 || mine.some((v) => v.state !== 'retired')) continue;
    const other = settings.alsoWrite.find((r) => r.compiled.name === compiled.name);
    const otherVersions =
      other === undefined ? [] : versionsOfDefinition(control, other.compiled.fingerprint);
    if (otherVersions.some((v) => v.state !== 'retired')) continue;
    const latest = mine.at(-1);
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `${command}: the configuration's definition of rollup '${compiled.name}' is version ${latest?.version}, retired (${control?.serving === undefined ? 'no version serves' : `rollup '${compiled.name}' serves version ${control.serving}`}), so the worker would read the stream and count its records nowhere: put the serving definition back in the configuration (dynotally rollups status ${compiled.name}), or rebuild this one with dynotally verify ${compiled.name} --repair`,
      { details: { rollup: compiled.name, version: latest?.version, serving: control?.serving } },
    );
  }
  await side.apply({ records: [] }); // registers the configured definitions, as the first batch would
  controls = await read();
  const building = controls.flatMap((c) =>
    (c?.versions ?? []).flatMap((v) => {
      const finish = c === undefined ? undefined : finishCommand(c.rollup, v);
      return finish === undefined ? [] : [`${c?.rollup} version ${v.version} (${v.state}: ${finish})`];
    }),
  );
  // a version being built goes through the claims, and so does one promoted (--force) before its backfill ended:
  // the write side reads them for every batch, so the table must exist (else every batch fails)
  const unbuilt = controls.some((c) =>
    (c?.versions ?? []).some(
      (v) => v.needsBackfill && v.state !== 'retired' && v.backfill?.endedAt === undefined,
    ),
  );
  if (building.length > 0 || unbuilt) await createClaimTable(client, claimTable);
  return building;
}

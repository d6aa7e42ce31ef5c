import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { type ControlItem, controlKey, parseControl, type VersionEntry } from './control-item.ts';
import {
  backfillRecordParams,
  promoteParams,
  readControlParams,
  registerVersionParams,
} from './control-params.ts';
import { definitionFingerprint } from './rebuild.ts';

/**
 * Reads a rollup's control item (strongly consistent); undefined when the rollup has none (it was never
 * registered: its rows, if any, are version 1's).
 *
 * @example
 * ```ts
 * const control = await readControl(client, 'aggregates', 'store');
 * ```
 */
export async function readControl(
  client: DynamoDBClient,
  table: string,
  rollup: string,
): Promise<ControlItem | undefined> {
  const out = await withRetry(() => client.send(new GetItemCommand(readControlParams(table, rollup))));
  return parseControl(rollup, out.Item);
}

/**
 * Reads the control items of several rollups in one strongly consistent `BatchGetItem` (100 keys a request,
 * unprocessed keys asked again). A rollup without a control item maps to undefined.
 *
 * @example
 * ```ts
 * const controls = await readControls(client, 'aggregates', ['store', 'customer']);
 * controls.get('store')?.serving; // 1
 * ```
 */
export async function readControls(
  client: DynamoDBClient,
  table: string,
  rollups: readonly string[],
): Promise<Map<string, ControlItem | undefined>> {
  const out = new Map<string, ControlItem | undefined>();
  const byPk = new Map<string, string>();
  for (const name of rollups) {
    out.set(name, undefined);
    byPk.set(controlKey(name).pk?.S ?? '', name);
  }
  const names = [...out.keys()];
  for (let i = 0; i < names.length; i += 100) {
    let keys: Record<string, AttributeValue>[] = names.slice(i, i + 100).map(controlKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      const res = await withRetry(() =>
        client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
        ),
      );
      for (const item of res.Responses?.[table] ?? []) {
        const name = byPk.get(item.pk?.S ?? '');
        if (name !== undefined) out.set(name, parseControl(name, item));
      }
      keys = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, AttributeValue>[];
      if (keys.length > 0 && attempt >= 10)
        throw new DynotallyError(
          'APPLY_FAILED',
          `the control items of ${keys.length} ${keys.length === 1 ? 'rollup' : 'rollups'} stayed unprocessed after 10 reads (throttled): the batch is retried`,
          { details: { table, unprocessed: keys.length } },
        );
      if (keys.length > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** attempt)));
    }
  }
  return out;
}

/** How {@link registerVersions} registers a rollup's first version. */
export interface RegisterOptions {
  /**
   * The state of a rollup's first version, registered when it has no control item: `serving` (default: the
   * rollup has been counting from the stream, its rows are complete) or `building` (a new rollup over an
   * existing table, to be backfilled before it serves).
   */
  firstVersion?: 'serving' | 'building';
  now?: number;
}

/**
 * Makes sure every given definition of one rollup (same name, different fingerprints) has a version number in
 * the control item, registering the missing ones in the given order (each with a conditional write, retried
 * against concurrent registrations). Returns the control item afterwards.
 *
 * @example
 * ```ts
 * const control = await registerVersions(client, 'aggregates', [storeV1.compiled, storeV2.compiled]);
 * ```
 */
export async function registerVersions(
  client: DynamoDBClient,
  table: string,
  deployed: readonly CompiledRollup[],
  options: RegisterOptions = {},
): Promise<ControlItem> {
  const name = deployed[0]?.name;
  if (name === undefined || deployed.some((c) => c.name !== name))
    throw new DynotallyError('CONFIG_INVALID', 'registerVersions takes definitions of one rollup (one name)');
  for (let attempt = 0; attempt < 20; attempt++) {
    const control = await readControl(client, table, name);
    const known = new Set(control?.versions.map((v) => v.fingerprint));
    const missing = deployed.find((c) => !known.has(c.fingerprint));
    if (missing === undefined && control !== undefined) return control;
    if (missing === undefined) continue;
    const serving = control === undefined && (options.firstVersion ?? 'serving') === 'serving';
    try {
      await withRetry(() =>
        client.send(
          new UpdateItemCommand(
            registerVersionParams(table, name, {
              fingerprint: missing.fingerprint,
              version: control?.next ?? 1,
              expectedNext: control?.next,
              state: serving ? 'serving' : 'building',
              needsBackfill: !serving,
              now: options.now ?? Date.now(),
            }),
          ),
        ),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
  throw new DynotallyError(
    'APPLY_FAILED',
    `could not register the versions of rollup '${name}': the control item kept changing (20 attempts)`,
    { details: { rollup: name } },
  );
}

/**
 * The version entry of a fingerprint, or a coded error naming the known versions. `rollup` names the rollup
 * when there is no control item (a rollup no versioned stream side ever registered).
 *
 * @example
 * ```ts
 * versionOf(control, storeV2.compiled.fingerprint).state; // 'building'
 * ```
 */
export function versionOf(
  control: ControlItem | undefined,
  fingerprint: string,
  rollup: string | undefined = control?.rollup,
): VersionEntry {
  if (control === undefined) {
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${rollup ?? '?'}' has no control item in this aggregate table, so no version of it is registered: versions are registered by a stream side built with createVersionedWriteSide (see docs/backfill.md) or by \`dynotally worker\` (when it starts); a plain createStreamHandler registers none, and backfill and repair do not apply to the rows it writes`,
      { details: { rollup, fingerprint } },
    );
  }
  const v = control.versions.find((x) => x.fingerprint === fingerprint);
  if (v === undefined) {
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `this definition of rollup '${control.rollup}' (fingerprint ${fingerprint}) has no version in the control item: deploy it to the stream handler (which registers it), or register it with \`dynotally backfill --register\` (runBackfill({ register: true }))`,
      { details: { rollup: control.rollup, fingerprint } },
    );
  }
  return v;
}

/**
 * Switches reads to `version` in one conditional write; the previous serving version is retired. Refuses a
 * version whose backfill has not completed, one a repair held (`hold`: it lacks items the store refused), or one
 * of a definition first registered before the serving version's ({@link supersededBy}), unless `force` (or, for that
 * last refusal only, `rollback`: a repair rebuilding the older definition on purpose). A version already serving
 * (also one another process promoted meanwhile) is left as it is.
 *
 * @throws {DynotallyError} `PROMOTE_REFUSED` when the version is not ready, is held (details `held`,
 *   `storeRefused`), is older than the serving version and of another definition (details `superseded`: the
 *   serving one would be retired for good, and stream sides deploying only its definition would halt), or another
 *   version's promotion won.
 * @example
 * ```ts
 * await promoteVersion(client, 'aggregates', 'store', 2);
 * ```
 */
export async function promoteVersion(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  options: { force?: boolean; rollback?: boolean; now?: number } = {},
): Promise<ControlItem> {
  const control = await readControl(client, table, rollup);
  const v = control?.versions.find((x) => x.version === version);
  if (control === undefined || v === undefined) {
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${rollup}' has no version ${version}: see dynotally rollups status`,
      { details: { rollup, version } },
    );
  }
  if (control.serving === version) return control;
  if (v.hold !== undefined && options.force !== true) throw heldRefusal(rollup, v);
  // the serving version replaced by an older one of another definition would be retired for good, and every stream
  // side deploying only the newer definition would fail its batches (VERSION_UNKNOWN): only with force. The write
  // below is conditioned on this serving version, so the check holds for it
  const serving = control.versions.find((x) => x.version === control.serving);
  if (
    serving !== undefined &&
    options.force !== true &&
    options.rollback !== true &&
    supersededBy(v, serving, control.versions)
  )
    throw supersededRefusal(rollup, v, serving);
  try {
    await withRetry(() =>
      client.send(
        new UpdateItemCommand(
          promoteParams(table, rollup, {
            version,
            previous: control.serving,
            force: options.force ?? false,
            now: options.now ?? Date.now(),
          }),
        ),
      ),
    );
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    // another process promoted it since it was read (a second repair of the rollup): done, nothing to write
    const current = await readControl(client, table, rollup);
    if (current?.serving === version) return current;
    const now = current?.versions.find((x) => x.version === version);
    if (now?.hold !== undefined && options.force !== true) throw heldRefusal(rollup, now);
    const state = now?.state ?? v.state;
    throw new DynotallyError(
      'PROMOTE_REFUSED',
      state === 'ready' || (state === 'building' && options.force === true)
        ? `version ${version} of rollup '${rollup}' was not promoted: another promotion (version ${current?.serving}) won since it was read; see dynotally rollups status ${rollup}`
        : state === 'retired'
          ? `version ${version} of rollup '${rollup}' is retired (see dynotally rollups status ${rollup}): a retired version never serves; to serve its definition, build it again as a new version (dynotally verify ${rollup} --repair)`
          : `version ${version} of rollup '${rollup}' is ${state}, not ready: finish its backfill (dynotally backfill ${rollup}) or promote with force`,
      { details: { rollup, version, state, serving: current?.serving } },
    );
  }
  return (await readControl(client, table, rollup)) as ControlItem;
}

/**
 * Whether `serving` supersedes `v`: of another definition (not a rebuild of `v`'s) first registered after `v`'s was.
 * A definition's age is its lowest version number among `versions` (retired and deleted entries stay there), not
 * the version's own number: a rebuild of the serving definition (`repairRollup`) is numbered above a change
 * registered before it, and that change is still the newer definition (review s34x). A rollback to the older
 * definition is a repair (`rollback`), or forced.
 *
 * @example
 * ```ts
 * supersededBy(control.versions[0], control.versions[1], control.versions); // true: version 2 of a changed definition serves
 * ```
 */
export function supersededBy(
  v: VersionEntry,
  serving: VersionEntry,
  versions: readonly VersionEntry[],
): boolean {
  const mine = definitionFingerprint(v.fingerprint);
  const theirs = definitionFingerprint(serving.fingerprint);
  if (mine === theirs) return false;
  return firstRegistered(theirs, versions, serving.version) > firstRegistered(mine, versions, v.version);
}

/** The lowest version number of a definition among `versions` (`own` when none is listed: a version read alone). */
function firstRegistered(definition: string, versions: readonly VersionEntry[], own: number): number {
  let first = own;
  for (const x of versions)
    if (x.version < first && definitionFingerprint(x.fingerprint) === definition) first = x.version;
  return first;
}

/** The refusal to promote a version over a newer serving version of another definition, naming the ways on. */
function supersededRefusal(rollup: string, v: VersionEntry, serving: VersionEntry): DynotallyError {
  return new DynotallyError(
    'PROMOTE_REFUSED',
    `version ${v.version} of rollup '${rollup}' is of an older definition than the serving version ${serving.version} (another definition, registered after it): promoting it would retire version ${serving.version} for good, and every stream side deploying only the newer definition would fail its batches (VERSION_UNKNOWN). Retire it (dynotally rollups retire ${rollup} ${v.version}); to roll back to its definition, deploy that definition everywhere and rebuild it (dynotally verify ${rollup} --repair with it in the config), or promote it with --force (dynotally rollups promote ${rollup} ${v.version} --force)`,
    {
      details: { rollup, version: v.version, state: v.state, serving: serving.version, superseded: true },
    },
  );
}

/** The refusal to promote a version a repair held (it lacks items the store refused), naming the ways on. */
function heldRefusal(rollup: string, v: VersionEntry): DynotallyError {
  const n = v.hold?.storeRefused ?? 0;
  return new DynotallyError(
    'PROMOTE_REFUSED',
    `version ${v.version} of rollup '${rollup}' is held: its backfill left ${n} item(s) of the source the store refused (dead-lettered: a sum past 38 digits in the scan's order, or a row past 400 KB), which it lacks and the serving version may count. Promote it anyway only if that loss is accepted (dynotally rollups promote ${rollup} ${v.version} --force, or verify ${rollup} --repair --accept-uncountable); else retire it (dynotally rollups retire ${rollup} ${v.version}), round the amounts and repair again`,
    { details: { rollup, version: v.version, state: v.state, held: true, storeRefused: n } },
  );
}

/**
 * Records a backfill's start, or its end (which makes the version `ready`). Only the first start is recorded: a
 * process that finds one recorded (another process started the version's backfill since it read the version)
 * gets that one back, and must build with its segment count. Likewise an end another process recorded first over
 * the same count (the version `ready` or since promoted) is left as it is.
 *
 * @returns The start in force: the one given, or the one another process recorded first.
 * @throws {DynotallyError} `BACKFILL_REFUSED` when the version is no longer `building` (and, for an end, was not
 *   made ready by another process's end over the same count).
 * @example
 * ```ts
 * const { segments } = await recordBackfill(client, 'aggregates', 'store', 2, { startedAt, segments: 4 });
 * await recordBackfill(client, 'aggregates', 'store', 2, { startedAt, segments, endedAt: Date.now() });
 * ```
 */
export async function recordBackfill(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  b: {
    startedAt: number;
    segments: number;
    endedAt?: number | undefined;
    storeRefused?: number | undefined;
    hold?: { storeRefused: number; at: number } | undefined;
    source?: string | undefined;
  },
): Promise<{ startedAt: number; segments: number }> {
  // a version promoted by force before its backfill ended is recorded as it serves (the second round)
  for (let serving = false; ; serving = true) {
    try {
      await withRetry(() =>
        client.send(new UpdateItemCommand(backfillRecordParams(table, rollup, version, { ...b, serving }))),
      );
      return { startedAt: b.startedAt, segments: b.segments };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    const v = (await readControl(client, table, rollup))?.versions.find((x) => x.version === version);
    const recorded = v?.backfill;
    const unfinished = v !== undefined && isUnfinished(v);
    if (
      b.endedAt === undefined &&
      unfinished &&
      recorded?.startedAt !== undefined &&
      recorded.segments !== undefined
    )
      return { startedAt: recorded.startedAt, segments: recorded.segments };
    // the end of a backfill over the same count, recorded by another process building the version (every segment
    // done then as now): this one has nothing left to record
    if (
      b.endedAt !== undefined &&
      (v?.state === 'ready' || v?.state === 'serving') &&
      recorded?.endedAt !== undefined &&
      recorded.startedAt !== undefined &&
      recorded.segments === b.segments
    )
      return { startedAt: recorded.startedAt, segments: recorded.segments };
    if (serving || v?.state !== 'serving' || !unfinished)
      throw new DynotallyError(
        'BACKFILL_REFUSED',
        `version ${version} of rollup '${rollup}' is no longer building: a backfill only builds a building version (or one promoted by force before its backfill ended)`,
        { details: { rollup, version } },
      );
  }
}

/**
 * Whether a version's backfill may still run: `building`, or `serving` after a forced promotion before its backfill
 * ended (`needsBackfill`, no end recorded). Such a serving version lacks the items its backfill had not reached, and
 * its claims are used until an end is recorded: its backfill completes it in place.
 *
 * @example
 * ```ts
 * if (isUnfinished(entry)) await runBackfill(options);
 * ```
 */
export function isUnfinished(v: VersionEntry): boolean {
  return (
    v.state === 'building' || (v.state === 'serving' && v.needsBackfill && v.backfill?.endedAt === undefined)
  );
}

import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem, VersionEntry } from '../versions/control-item.ts';
import { versionsOfDefinition } from '../versions/rebuild.ts';
import { asVersion } from '../versions/version-prefix.ts';

/**
 * One rollup version a dead letter's replay writes: the definition under the version's key prefix, and its entry
 * in the control item (undefined for a rollup without one: nothing registered a version, its rows are version 1's).
 *
 * @example
 * ```ts
 * const target: ReplayTarget = { rollup: 'orders', compiled: asVersion(orders.compiled, 2), entry };
 * ```
 */
export interface ReplayTarget {
  readonly rollup: string;
  readonly compiled: CompiledRollup;
  readonly entry: VersionEntry | undefined;
}

/**
 * The versions a replay writes, as the stream side does: every version of the given definitions that is not
 * retired (the serving one, and those being built), each under its own key prefix; a rollup without a control
 * item as it is (version 1). Pure.
 *
 * The replay must reach every version the stream side writes, or the record is missing from one of them (the one
 * read now, or one read after its promotion), so a rollup with a version that is not retired and belongs to no
 * given definition is refused, before anything is written.
 *
 * @throws {DynotallyError} `VERSION_BUILDING` when the serving version's definition is not given and a given one is
 *   being built or built (replay once it serves), or a version of a definition not given is being built beside the
 *   serving one; `VERSION_UNKNOWN` when the serving version's definition is not given and the given ones are retired
 *   or not registered, or every version of the rollup is retired; `CONFIG_INVALID` for two definitions of a
 *   rollup without a control item.
 * @example
 * ```ts
 * const targets = replayTargets([orders.compiled], await readControls(client, 'aggregates', ['orders']));
 * targets.map((t) => t.compiled.name); // ['orders.v2'] once version 2 serves
 * ```
 */
export function replayTargets(
  rollups: readonly CompiledRollup[],
  controls: ReadonlyMap<string, ControlItem | undefined>,
): ReplayTarget[] {
  const byName = new Map<string, CompiledRollup[]>();
  for (const c of rollups) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const targets: ReplayTarget[] = [];
  for (const [name, defs] of byName) {
    const control = controls.get(name);
    if (control === undefined) {
      if (defs.length > 1)
        throw new DynotallyError(
          'CONFIG_INVALID',
          `rollup '${name}' is given ${defs.length} definitions, and it has no control item (no version was registered): replay it with the one definition its rows were written with`,
          { details: { rollup: name } },
        );
      targets.push({ rollup: name, compiled: defs[0] as CompiledRollup, entry: undefined });
      continue;
    }
    const mine = new Map<number, ReplayTarget>();
    for (const d of defs)
      for (const v of versionsOfDefinition(control, d.fingerprint))
        if (v.state !== 'retired' && !mine.has(v.version))
          mine.set(v.version, { rollup: name, compiled: asVersion(d, v.version), entry: v });
    const missing = control.versions.filter((v) => v.state !== 'retired' && !mine.has(v.version));
    if (missing.length > 0 || mine.size === 0) throw notWritable(name, control, defs, missing);
    targets.push(...[...mine.values()].sort((a, b) => (a.entry?.version ?? 0) - (b.entry?.version ?? 0)));
  }
  return targets;
}

/** Why a rollup's replay would miss a version the stream side writes (or that is read). */
function notWritable(
  name: string,
  control: ControlItem,
  defs: readonly CompiledRollup[],
  missing: readonly VersionEntry[],
): DynotallyError {
  const given = defs.flatMap((d) => versionsOfDefinition(control, d.fingerprint));
  const latest = given.filter((v) => v.state !== 'retired').at(-1) ?? given.at(-1);
  const details = {
    rollup: name,
    serving: control.serving,
    version: latest?.version,
    state: latest?.state,
    missing: missing.map((v) => v.version),
  };
  const servingMissing = missing.some((v) => v.version === control.serving);
  if (!servingMissing && missing.length > 0) {
    const other = missing[0] as VersionEntry;
    return new DynotallyError(
      'VERSION_BUILDING',
      `replay refused: version ${other.version} of rollup '${name}' (${other.state}) holds a definition that was not given, and the stream side writes it beside version ${control.serving}: replayed without it, the record would be missing from it once it serves. Give its definition too, or replay once it serves (then give that definition) or is retired`,
      { details },
    );
  }
  const serves =
    control.serving === undefined
      ? `rollup '${name}' has no serving version`
      : `rollup '${name}' serves version ${control.serving}, of a definition that was not given`;
  const what = `${serves}, so the record would be counted in no version that is read`;
  if (latest === undefined)
    return new DynotallyError(
      'VERSION_UNKNOWN',
      `replay refused: ${what}; the given definition is not registered: give the serving definition (the one the stream side writes)`,
      { details },
    );
  if (latest.state === 'building' || latest.state === 'ready')
    return new DynotallyError(
      'VERSION_BUILDING',
      `replay refused: ${what}; the given definition is version ${latest.version}, ${latest.state}: replay once it serves (${latest.state === 'building' ? 'finish its backfill and promote it' : 'promote it'}), or give the serving definition too`,
      { details },
    );
  return new DynotallyError(
    'VERSION_UNKNOWN',
    `replay refused: ${control.serving === undefined ? `every version of rollup '${name}' is retired` : what}; the given definition is version ${latest.version}, retired: give the serving definition (the one the stream side writes)`,
    { details },
  );
}

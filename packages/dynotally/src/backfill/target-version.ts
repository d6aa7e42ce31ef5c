import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem, VersionEntry } from '../versions/control-item.ts';
import { versionOf } from '../versions/control-store.ts';
import { versionsOfDefinition } from '../versions/rebuild.ts';

/**
 * The version entry a backfill builds: the definition's own version, or (given a number) one of its rebuilds.
 *
 * @throws {DynotallyError} `VERSION_UNKNOWN` when the definition, or the numbered version of it, is not in
 *   the control item.
 * @example
 * ```ts
 * targetVersion(control, storeV2.compiled, undefined).version; // 2
 * targetVersion(control, storeV2.compiled, 4).fingerprint; // '<fingerprint>~4' (a repair's rebuild)
 * ```
 */
export function targetVersion(
  control: ControlItem | undefined,
  compiled: CompiledRollup,
  version: number | undefined,
): VersionEntry {
  const own = versionOf(control, compiled.fingerprint, compiled.name);
  if (version === undefined || version === own.version) return own;
  const rebuild = versionsOfDefinition(control, compiled.fingerprint).find((v) => v.version === version);
  if (rebuild === undefined)
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${compiled.name}' has no version ${version} of this definition: see dynotally rollups status`,
      { details: { rollup: compiled.name, version } },
    );
  return rebuild;
}

import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem, VersionEntry } from './control-item.ts';
import { definitionFingerprint } from './rebuild.ts';

/**
 * The versions of a rollup that a stream side deploying `deployed` (definitions of that one rollup) would leave
 * out of a batch although they are being written: versions that are not retired (`building`, `ready` or `serving`),
 * newer than the version each deployed definition was registered as, whose definition (a rebuild's included) is
 * none of the deployed ones. Such a version was registered by a newer deployment (a changed definition rolled out
 * to some processes, or registered by `runBackfill({ register: true })`); a batch applied without it loses its
 * changes for that version for good (docs/backfill.md, "When the scan may start"). A deployed definition not
 * registered yet (`register: 'first'` before its backfill registers it) sets no bound, and a side none of whose
 * definitions is registered gets none: it has nothing to be newer than.
 *
 * @example
 * ```ts
 * // version 1 (storeV1) serves, version 2 (storeV2) is building: an old process deploying storeV1 only
 * undeployedNewerVersions(control, [storeV1.compiled]).map((v) => v.version); // [2]
 * undeployedNewerVersions(control, [storeV1.compiled, storeV2.compiled]); // []
 * ```
 */
export function undeployedNewerVersions(
  control: ControlItem | undefined,
  deployed: readonly CompiledRollup[],
): VersionEntry[] {
  if (control === undefined) return [];
  const fingerprints = new Set(deployed.map((c) => c.fingerprint));
  const own = control.versions.filter((v) => fingerprints.has(v.fingerprint)).map((v) => v.version);
  if (own.length === 0) return [];
  const newest = Math.max(...own);
  return control.versions.filter(
    (v) =>
      v.version > newest && v.state !== 'retired' && !fingerprints.has(definitionFingerprint(v.fingerprint)),
  );
}

/**
 * Fails the batch when a rollup this side deploys has a newer version it does not deploy
 * ({@link undeployedNewerVersions}): a process of the old deployment during a rolling deploy, or after a rollback,
 * that would otherwise apply the batch without the version the new deployment writes. The batch is retried (a
 * Lambda retry lands on the new code; a stream worker holds the shard until it is replaced) instead of being
 * applied without that version, so the records reach it once a process that deploys it applies them.
 *
 * @throws {DynotallyError} `VERSION_NOT_DEPLOYED` naming the rollup, the version and its state.
 * @example
 * ```ts
 * refuseUndeployed(new Map([['store', [storeV1.compiled]]]), controls); // throws once version 2 is registered
 * ```
 */
export function refuseUndeployed(
  deployed: ReadonlyMap<string, readonly CompiledRollup[]>,
  controls: ReadonlyMap<string, ControlItem | undefined>,
): void {
  for (const [name, definitions] of deployed) {
    const newer = undeployedNewerVersions(controls.get(name), definitions);
    const v = newer[0];
    if (v === undefined) continue;
    const which = newer.map((x) => `version ${x.version}, ${x.state}`).join('; ');
    throw new DynotallyError(
      'VERSION_NOT_DEPLOYED',
      `rollup '${name}': a newer definition (${which}) is registered that this process does not deploy, so the batch would be applied without it and its changes lost for that version: the batch is failed, not applied; deploy the new definition to every stream handler and worker (the stream delivers the batch again to a process that deploys it), or, to roll back, retire the version (dynotally rollups retire ${name} ${v.version}; see dynotally rollups status ${name})`,
      {
        details: {
          rollup: name,
          versions: newer.map((x) => ({ version: x.version, state: x.state, fingerprint: x.fingerprint })),
        },
      },
    );
  }
}

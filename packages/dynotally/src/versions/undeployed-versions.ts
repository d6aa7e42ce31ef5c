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
  // a version of a deployed definition (its rebuild included) being built above the serving one replaces it when
  // promoted: the serving version is then not left out for good, only stale until that promotion (a promoted
  // change rolled back by rebuilding the old definition, as a forward change leaves the old version meanwhile)
  const replacing = control.versions.some(
    (v) =>
      v.version > (control.serving ?? 0) &&
      (v.state === 'building' || v.state === 'ready') &&
      fingerprints.has(definitionFingerprint(v.fingerprint)),
  );
  return control.versions.filter(
    (v) =>
      v.version > newest &&
      v.state !== 'retired' &&
      !(v.state === 'serving' && replacing) &&
      !fingerprints.has(definitionFingerprint(v.fingerprint)),
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
    if (newer.length === 0) continue;
    const which = newer.map((x) => `version ${x.version}, ${x.state}`).join('; ');
    // a serving version cannot be retired (promote another one first): only the way forward is named for it
    const back = newer.filter((x) => x.state !== 'serving').map((x) => x.version);
    const rollBack =
      back.length === 0
        ? ''
        : `, or, to roll back, retire ${back.length === 1 ? 'the version' : 'the versions'} (${back.map((n) => `dynotally rollups retire ${name} ${n}`).join('; ')})`;
    // the likelier cause when the process deploys the very definition, built otherwise
    const sourceText = definitions.some((c) => c.fingerprintFunctions === 'source')
      ? `. If that definition is this one built otherwise (a minified bundle, another transpiler), the difference is its functions' source text: name what they do with functionsVersion in every build (docs/backfill.md, Fingerprint)`
      : '';
    throw new DynotallyError(
      'VERSION_NOT_DEPLOYED',
      `rollup '${name}': a newer definition (${which}) is registered that this process does not deploy, so the batch would be applied without it and its changes lost for that version: the batch is failed, not applied; deploy the new definition to every stream handler and worker (the stream delivers the batch again to a process that deploys it)${rollBack}; see dynotally rollups status ${name}${sourceText}`,
      {
        details: {
          rollup: name,
          versions: newer.map((x) => ({ version: x.version, state: x.state, fingerprint: x.fingerprint })),
        },
      },
    );
  }
}

import type { ControlItem, VersionEntry } from './control-item.ts';

/** Separates a definition's fingerprint from a rebuild's number in a rebuild version's fingerprint. */
const REBUILD_SEP = '~';

/**
 * The fingerprint a rebuild of a definition is registered under: the definition's own fingerprint and the
 * version number the rebuild gets (`<fingerprint>~<n>`), so a repair can register a new version of an
 * unchanged definition (the control item keeps one version per fingerprint).
 *
 * @example
 * ```ts
 * rebuildFingerprint('ab12cd', 3); // 'ab12cd~3'
 * ```
 */
export function rebuildFingerprint(fingerprint: string, version: number): string {
  return `${fingerprint}${REBUILD_SEP}${version}`;
}

/**
 * The definition fingerprint a version stores: its own fingerprint, without a rebuild's suffix.
 *
 * @example
 * ```ts
 * definitionFingerprint('ab12cd~3'); // 'ab12cd'
 * definitionFingerprint('ab12cd'); // 'ab12cd'
 * ```
 */
export function definitionFingerprint(fingerprint: string): string {
  const i = fingerprint.indexOf(REBUILD_SEP);
  return i === -1 ? fingerprint : fingerprint.slice(0, i);
}

/**
 * Every version of a control item that stores what the definition with this fingerprint stores: the version
 * it was registered as, and its rebuilds (repairs), in version order.
 *
 * @example
 * ```ts
 * versionsOfDefinition(control, storeV2.compiled.fingerprint).map((v) => v.version); // [2, 4]
 * ```
 */
export function versionsOfDefinition(control: ControlItem | undefined, fingerprint: string): VersionEntry[] {
  return (control?.versions ?? []).filter((v) => definitionFingerprint(v.fingerprint) === fingerprint);
}

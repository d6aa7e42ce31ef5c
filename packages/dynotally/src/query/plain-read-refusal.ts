import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem } from '../versions/control-item.ts';
import { definitionFingerprint } from '../versions/rebuild.ts';

/**
 * Why a plain query client (`createQueryClient`, which reads a rollup's version-1 rows, `<name>#…`) must not
 * answer for `c`, given the rollup's control item; `undefined` when it may. Without a control item no version is
 * registered and version 1's rows are the only ones. With one, version 1 must be the serving version, and the
 * definition must not be registered as another version: otherwise the rows read are a retired version's (no longer
 * written) or another definition's (whose new measures read 0). A definition the control item does not know is
 * not refused: it may be the serving one's twin (the same rollup built from minified source: see
 * `functionsVersion`), as before versions existed. `createServingQueryClient` reads the serving version instead.
 *
 * @example
 * ```ts
 * const refusal = plainReadRefusal(store.compiled, control);
 * if (refusal !== undefined) throw refusal;
 * ```
 */
export function plainReadRefusal(
  c: CompiledRollup,
  control: ControlItem | undefined,
): DynotallyError | undefined {
  if (control === undefined) return undefined;
  const serving = control.versions.find((v) => v.version === control.serving);
  const mine = control.versions.filter((v) => definitionFingerprint(v.fingerprint) === c.fingerprint);
  const use = `query it through createServingQueryClient, which reads the serving version (docs/backfill.md)`;
  const details = { rollup: c.name, serving: control.serving, versions: mine.map((v) => v.version) };
  if (serving === undefined) {
    return new DynotallyError(
      'VERSION_BUILDING',
      `rollup '${c.name}' has no serving version yet (its first version is being built): createQueryClient would read partial rows; finish its backfill and promote it`,
      { details },
    );
  }
  if (serving.version !== 1) {
    return new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${c.name}' serves version ${serving.version}, and createQueryClient reads version 1's rows (retired, no longer written): ${use}`,
      { details },
    );
  }
  const other = mine.find((v) => v.version !== 1);
  if (other !== undefined && !mine.some((v) => v.version === 1)) {
    return new DynotallyError(
      other.state === 'retired' ? 'VERSION_UNKNOWN' : 'VERSION_BUILDING',
      `this definition of rollup '${c.name}' is version ${other.version} (${other.state}), and version 1 of another definition serves: createQueryClient would read that definition's rows as this one's; ${use}, or query the serving definition`,
      { details },
    );
  }
  return undefined;
}

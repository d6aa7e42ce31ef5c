import { type ControlItem, DynotallyError, type Rollup, versionsOfDefinition } from 'dynotally';
import { finishCommand } from './finish-command.ts';

/**
 * Why `dynotally query` cannot answer a rollup with the configured definition, in the command line's terms, or
 * `undefined` when it can: the rollup has no control item (nothing registered a version: its rows are version 1's),
 * or a version of the configured definition serves. Otherwise the serving version holds another definition's
 * rows (or none serves yet), which the configured definition cannot read: the error says which version the
 * configured definition is and the command that makes it serve.
 *
 * @example
 * ```ts
 * queryVersionProblem(orders, control)?.message;
 * // "rollup 'orders' serves version 1 (another definition than the config's); the config's definition is version 2, building: run dynotally backfill orders --promote"
 * ```
 */
export function queryVersionProblem(
  rollup: Rollup,
  control: ControlItem | undefined,
): DynotallyError | undefined {
  if (control === undefined) return undefined;
  const name = rollup.compiled.name;
  const mine = versionsOfDefinition(control, rollup.compiled.fingerprint);
  if (mine.some((v) => v.version === control.serving)) return undefined;
  const serves =
    control.serving === undefined
      ? `rollup '${name}' has no serving version yet`
      : `rollup '${name}' serves version ${control.serving} (another definition than the config's)`;
  const latest = mine.filter((v) => v.state !== 'retired').at(-1) ?? mine.at(-1);
  const details = { rollup: name, serving: control.serving, version: latest?.version, state: latest?.state };
  if (latest === undefined)
    return new DynotallyError(
      'VERSION_UNKNOWN',
      `${serves}; the config's definition is not registered yet: run dynotally worker (it registers it as a new version), then dynotally backfill ${name} --promote${sourceTextHint(rollup)}`,
      { details },
    );
  const finish = finishCommand(name, latest);
  if (finish !== undefined)
    return new DynotallyError(
      'VERSION_BUILDING',
      `${serves}; the config's definition is version ${latest.version}, ${latest.state === 'ready' ? 'built' : 'building'}: run ${finish}`,
      { details },
    );
  return new DynotallyError(
    'VERSION_UNKNOWN',
    `${serves}; the config's definition is version ${latest.version}, retired: put the serving definition back in the config, or rebuild this one with dynotally verify ${name} --repair`,
    { details },
  );
}

/**
 * For a definition whose functions count by their source text: the likelier cause, when the code is the same
 * but was built otherwise (a minified Lambda bundle), and the way out.
 */
function sourceTextHint(rollup: Rollup): string {
  if (rollup.compiled.fingerprintFunctions !== 'source') return '';
  return ". If the serving definition is this one built otherwise (a minified Lambda bundle), the difference is its functions' source text: name what they do with functionsVersion in the definition, in both builds (docs/backfill.md, Fingerprint)";
}

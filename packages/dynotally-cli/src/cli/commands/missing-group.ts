import { DynotallyError, type GroupValue, type Rollup } from 'dynotally';

/**
 * Refuses a per-group query given no `--group`, with an example built from the rollup's own groupBy attributes
 * or its groupBy function's declared names (`--group deviceId=<value>` for a rollup grouped by deviceId), so the
 * hint fits the rollup asked for.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the command, the rollup and its groupBy attributes, when
 *   `group` is empty.
 * @example
 * ```ts
 * checkGroupGiven('query total', energy, {});
 * // throws: query total: --group: rollup 'energy' groups by deviceId: give the group, e.g. --group deviceId=<value>
 * ```
 */
export function checkGroupGiven(
  command: string,
  rollup: Rollup,
  group: Readonly<Record<string, GroupValue>> | undefined,
): void {
  if (group !== undefined && Object.keys(group).length > 0) return;
  const name = rollup.compiled.name;
  // the groupBy attributes, or the groupBy function's declared names (a plain function's are known per item only)
  const attrs = rollup.compiled.groupNames;
  const example =
    attrs === undefined || attrs.length === 0
      ? `rollup '${name}' groups by a function without declared names: give the group, e.g. --group <attribute>=<value> (declare the names, groupBy: { names, fn }, for the CLI to name them and check the group)`
      : `rollup '${name}' groups by ${attrs.join(', ')}: give the group, e.g. ${attrs.map((a) => `--group ${a}=<value>`).join(' ')}`;
  throw new DynotallyError('CONFIG_INVALID', `${command}: --group: ${example}`, {
    details: { rollup: name, groupBy: attrs ?? null },
  });
}

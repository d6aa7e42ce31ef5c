import { DynotallyError } from 'dynotally';
import type { DynotallyConfig } from './define-config.ts';

/**
 * Checks a configuration's `alsoWrite`: each entry is another definition of one of its `rollups` (same name,
 * another fingerprint), at most one per rollup. A definition the worker would write under a name no query
 * reads, or the configured one twice, is a mistake in the file, said when it is loaded.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the rollup and what to change.
 * @example
 * ```ts
 * checkAlsoWrite({ rollups: [ordersWithAmount], alsoWrite: [orders] }, 'dynotally.config.ts'); // passes
 * checkAlsoWrite({ rollups: [orders], alsoWrite: [orders] }, 'dynotally.config.ts'); // throws CONFIG_INVALID
 * ```
 */
export function checkAlsoWrite(config: DynotallyConfig, shown: string): void {
  const seen = new Set<string>();
  for (const extra of config.alsoWrite ?? []) {
    const { name, fingerprint } = extra.compiled;
    const bad = (why: string): never => {
      throw new DynotallyError('CONFIG_INVALID', `config file ${shown}: alsoWrite: ${why}`, {
        details: { rollup: name },
      });
    };
    const main = config.rollups.find((r) => r.compiled.name === name);
    if (main === undefined)
      bad(
        `rollup '${name}' is not in rollups (known: ${config.rollups.map((r) => r.compiled.name).join(', ')}); alsoWrite holds the serving definition of a configured rollup while a changed one rolls out`,
      );
    else if (main.compiled.fingerprint === fingerprint)
      bad(
        `the definition of rollup '${name}' is the one in rollups; alsoWrite holds its other definition (the serving one while the changed one rolls out): remove it, or put the other definition there`,
      );
    if (seen.has(name))
      bad(
        `rollup '${name}' has two definitions here; keep one (the serving one while the changed one in rollups rolls out)`,
      );
    seen.add(name);
  }
}

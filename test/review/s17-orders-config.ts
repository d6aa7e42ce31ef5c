// The config file the s17 review's CLI tests run `dynotally` with: rollup `orders` (stores' orders per day and all
// time), and its changed definition, which also sums `amount`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_LIB, ROOT } from '../support/cli.ts';

/**
 * Writes a config file holding rollup `orders` into `dir` (`extended` adds a sum of `amount`) and returns its path.
 * With `alsoWrite` (an extended file only) the first definition is in the configuration's `alsoWrite`: the worker
 * writes both during the rollout (docs/cli.md, "Changing a rollup with several workers").
 *
 * @example
 * ```ts
 * const first = ordersConfigFile(dir, false);
 * await runDynotally(['worker', '--until-idle', '-c', first, ...flags]);
 * ```
 */
export function ordersConfigFile(dir: string, extended: boolean, alsoWrite = false): string {
  const file = join(dir, `${extended ? 'extended' : 'first'}${alsoWrite ? '-also' : ''}.config.mts`);
  const define = (name: string, withAmount: boolean) => `export const ${name} = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count()${withAmount ? ", amount: sum('amount')" : ''} },
});
`;
  writeFileSync(
    file,
    `import { count, defineRollup, sum } from ${JSON.stringify(BUILT_LIB)};
${define('orders', extended)}${
  alsoWrite
    ? `${define('serving', false)}export default { rollups: [orders], alsoWrite: [serving] };
`
    : ''
}`,
  );
  return file;
}

// The config file the s17 review's CLI tests run `dynotally` with: rollup `orders` (stores' orders per day and all
// time), and its changed definition, which also sums `amount`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';

const LIB = join(ROOT, 'packages', 'dynotally', 'src', 'index.ts');

/**
 * Writes a config file holding rollup `orders` into `dir` (`extended` adds a sum of `amount`) and returns its path.
 *
 * @example
 * ```ts
 * const first = ordersConfigFile(dir, false);
 * await runDynotally(['worker', '--until-idle', '-c', first, ...flags]);
 * ```
 */
export function ordersConfigFile(dir: string, extended: boolean): string {
  const file = join(dir, `${extended ? 'extended' : 'first'}.config.mts`);
  writeFileSync(
    file,
    `import { count, defineRollup, sum } from ${JSON.stringify(LIB)};
export const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count()${extended ? ", amount: sum('amount')" : ''} },
});
`,
  );
  return file;
}

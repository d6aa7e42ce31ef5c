// Config files for the s21 review's CLI tests (alsoWrite): rollup `orders` as in s17-orders-config.ts, in as many
// definitions as a test needs, each given by its measures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_LIB } from '../support/cli.ts';

/** The measures of the s21 definitions of `orders`: A serves first, B and C are changes of it, A2 is A misremembered. */
export const MEASURES = {
  A: '{ n: count() }',
  A2: '{ orders: count() }',
  B: "{ n: count(), amount: sum('amount') }",
  C: "{ n: count(), amount: sum('amount'), top: max('amount') }",
} as const;

/**
 * Writes `<file>.config.mts` into `dir` with `rollups: [orders]` of the measures `rollups` and, when given, an
 * `alsoWrite` of the measures `alsoWrite`, and returns its path.
 *
 * @example
 * ```ts
 * const rollout = ordersConfig(dir, 'rollout', MEASURES.B, MEASURES.A);
 * ```
 */
export function ordersConfig(dir: string, file: string, rollups: string, alsoWrite?: string): string {
  const path = join(dir, `${file}.config.mts`);
  const define = (name: string, measures: string) => `const ${name} = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: ${measures},
});
`;
  writeFileSync(
    path,
    `import { count, defineRollup, max, sum } from ${JSON.stringify(CONFIG_LIB)};
${define('orders', rollups)}${alsoWrite === undefined ? '' : define('serving', alsoWrite)}export default { rollups: [orders]${alsoWrite === undefined ? '' : ', alsoWrite: [serving]'} };
`,
  );
  return path;
}

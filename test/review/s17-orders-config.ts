// The config file the s17 review's CLI tests run `dynotally` with: rollup `orders` (stores' orders per day and all
// time), and its changed definition, which also sums `amount`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { type CliRun, CONFIG_LIB, runDynotally } from '../support/cli.ts';

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
    `import { count, defineRollup, sum } from ${JSON.stringify(CONFIG_LIB)};
${define('orders', extended)}${
  alsoWrite
    ? `${define('serving', false)}export default { rollups: [orders], alsoWrite: [serving] };
`
    : ''
}`,
  );
  return file;
}

/**
 * `dynotally rollups retire orders <version> -c <config> <flags…>`: a version of `orders` abandoned (a rollback,
 * docs/cli.md step 3) or, for the serving one, refused.
 *
 * @example
 * ```ts
 * const retire = await retireOrders(2, first, made.flags(endpoint));
 * expect(retire.code, retire.stderr).toBe(0);
 * ```
 */
export function retireOrders(version: number, config: string, flags: readonly string[]): Promise<CliRun> {
  return runDynotally(['rollups', 'retire', 'orders', String(version), '-c', config, ...flags]);
}

/**
 * Places orders of store `s-0` at `t` into the source table: each call writes the next one (`o-0`, `o-1`, …) with
 * the amount given (a string amount makes a record `sum('amount')` cannot fold).
 *
 * @example
 * ```ts
 * const order = orderPlacer(clients.ddb, made.tables.source, DAY);
 * await order(2);
 * ```
 */
export function orderPlacer(
  ddb: DynamoDBClient,
  source: string,
  t: number,
): (amount: number | string) => Promise<unknown> {
  let n = 0;
  return (amount) =>
    ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [source]: [
            { PutRequest: { Item: marshall({ pk: 'order', sk: `o-${n++}`, storeId: 's-0', amount, t }) } },
          ],
        },
      }),
    );
}

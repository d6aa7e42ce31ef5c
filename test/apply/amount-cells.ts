// Shared by the kept-row and take-back tests: the rows of the `amounts` (by `g`) and `kindSums` (by `kind`) rollups
// as exact decimals, read back from the table and recomputed from the source items.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import { Decimal } from '../oracle/decimal.ts';
import { counterCells } from './budget-support.ts';

/**
 * Every row's `n` and `total` as exact decimals (`<pk>|n`), a row's missing `total` as 0 (a row whose amounts were
 * all 0 never had one written).
 *
 * @example
 * ```ts
 * expect(await exactCells(client, table)).toEqual(amountOracle(items));
 * ```
 */
export async function exactCells(client: DynamoDBClient, table: string): Promise<Record<string, string>> {
  const cells = await counterCells(client, table);
  const out = Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, new Decimal(v).toString()]));
  for (const k of Object.keys(out)) if (k.endsWith('|n')) out[k.replace(/\|n$/, '|total')] ??= '0';
  return out;
}

/**
 * Every row's `n` and `total` recomputed from the final source items (all INSERTs): `amounts` by `g`, `kindSums` by
 * `kind`.
 *
 * @example
 * ```ts
 * amountOracle([{ g: { S: 'big' }, kind: { S: 'k' }, amount: { N: '1' } }]); // { 'amounts#sbig|n': '1', … }
 * ```
 */
export function amountOracle(items: ReadonlyArray<Record<string, AttributeValue>>): Record<string, string> {
  const out = new Map<string, { n: Decimal; total: Decimal }>();
  for (const item of items) {
    for (const [rollup, attr] of [
      ['amounts', 'g'],
      ['kindSums', 'kind'],
    ] as const) {
      const pk = `${rollup}#s${item[attr]?.S}`;
      const cell = out.get(pk) ?? { n: new Decimal(0), total: new Decimal(0) };
      out.set(pk, { n: cell.n.plus(1), total: cell.total.plus(item.amount?.N ?? '0') });
    }
  }
  const cells: Record<string, string> = {};
  for (const [pk, { n, total }] of out) {
    cells[`${pk}|n`] = n.toString();
    cells[`${pk}|total`] = total.toString();
  }
  return cells;
}

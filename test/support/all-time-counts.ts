// What a version's all-time rows hold for one count measure, read back from the aggregate table.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { scanTable } from './ddb.ts';

/**
 * The non-zero all-time values of the count `measure` per group in the rows of the version named `prefix` (a
 * rollup's version 1 is its name, `favourites`; a later one `favourites.v2`), keyed by the group's value.
 *
 * @example
 * ```ts
 * expect(await allTimeCounts(clients.ddb, tables.aggregate, 'favourites.v2', 'favourites')).toEqual(expected);
 * ```
 */
export async function allTimeCounts(
  ddb: DynamoDBClient,
  table: string,
  prefix: string,
  measure: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of await scanTable(ddb, table))
    if (r.pk?.S?.startsWith(`${prefix}#s`) && r.sk?.S === 'ALL' && Number(r[measure]?.N) !== 0)
      out.set(r.pk.S.slice(`${prefix}#s`.length), Number(r[measure]?.N));
  return out;
}

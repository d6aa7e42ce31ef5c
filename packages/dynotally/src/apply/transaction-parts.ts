import { DynotallyError } from '../errors/index.ts';

/**
 * The first writes of `writes` that fit one `TransactWriteItems` of `limit` items with one watermark item per
 * rollup among them, in whole rollups (a rollup's rows and its watermark item go together): all of them when they
 * fit. A record's rows in one rollup are at most twice its row kinds, far below the limit.
 *
 * @example
 * ```ts
 * wholeRollupsWithin([{ row: { rollup: 'a' } }, { row: { rollup: 'b' } }], 3); // the first: 'a' and its item
 * ```
 */
export function wholeRollupsWithin<W extends { readonly row: { readonly rollup: string } }>(
  writes: readonly W[],
  limit: number,
): readonly W[] {
  const byRollup = new Map<string, W[]>();
  for (const w of writes) {
    const list = byRollup.get(w.row.rollup);
    if (list === undefined) byRollup.set(w.row.rollup, [w]);
    else list.push(w);
  }
  if (writes.length + byRollup.size <= limit) return writes;
  const out: W[] = [];
  let rollups = 0;
  for (const rows of byRollup.values()) {
    if (out.length + rows.length + rollups + 1 > limit) break;
    out.push(...rows);
    rollups++;
  }
  if (out.length === 0)
    throw new DynotallyError(
      'INTERNAL_ERROR',
      `one record's rows in one rollup do not fit a transaction of ${limit} items`,
      { details: { rollup: writes[0]?.row.rollup, limit } },
    );
  return out;
}

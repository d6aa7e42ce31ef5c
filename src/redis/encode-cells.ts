import { toDynamoN } from '../numbers/index.ts';
import type { RowWrite } from '../plan/index.ts';
import { cellField, rankKey } from './keys.ts';

/**
 * A batch's row deltas as the cell list of the buffer's write script (sent as one JSON array of strings): the number of partition keys,
 * then per key `pk, nfields, (field, delta)…`, then the number of ranked deltas and `(rankKey, pk, delta)…`.
 * Deltas are exact decimal strings (the script adds them exactly).
 *
 * @example
 * ```ts
 * const { args, fields } = encodeCells(planWrites(coalescer, { now }).rows);
 * // args: ['1', 'store#ss-1', '2', 'M2026-11|orders', '3', 'M2026-11|orders_22', '3', '0']
 * ```
 */
export function encodeCells(rows: readonly RowWrite[]): { args: string[]; fields: number; ranked: number } {
  const byPk = new Map<string, string[]>();
  const ranked: string[] = [];
  let fields = 0;
  for (const row of rows) {
    let cells = byPk.get(row.pk);
    if (cells === undefined) {
      cells = [];
      byPk.set(row.pk, cells);
    }
    for (const [attr, delta] of row.adds) {
      cells.push(cellField(row.sk, attr), toDynamoN(delta));
      fields++;
    }
    if (row.leaderboard !== undefined)
      ranked.push(rankKey(row.rollup, row.sk), row.pk, toDynamoN(row.leaderboard.delta));
  }
  const args: string[] = [String(byPk.size)];
  for (const [pk, cells] of byPk) args.push(pk, String(cells.length / 2), ...cells);
  args.push(String(ranked.length / 3), ...ranked);
  return { args, fields, ranked: ranked.length / 3 };
}

import { DynotallyError } from '../errors/index.ts';

/**
 * The bytes side of {@link wholeRollupsWithin}: what a part's items may hold, and each watermark item's size.
 *
 * @example
 * ```ts
 * const bytes: PartBytes = { budget: TRANSACTION_BYTES_BUDGET, perRollup: WATERMARK_ITEM_BYTES };
 * ```
 */
export interface PartBytes {
  /** Bytes the part's rows (their `bytes`) and watermark items may hold together. */
  readonly budget: number;
  /** Bytes of one rollup's watermark item. */
  readonly perRollup: number;
}

/**
 * The first writes of `writes` that fit one `TransactWriteItems` of `limit` items with one watermark item per
 * rollup among them, in whole rollups (a rollup's rows and its watermark item go together): all of them when they
 * fit. With `bytes`, the part's rows (each write's `bytes`) and watermark items also stay within `bytes.budget`;
 * when the first rollup's rows alone do not, the answer is empty (the caller refuses the record: a rollup's rows
 * cannot be split from its watermark item). A record's rows in one rollup are at most twice its row kinds, far
 * below the item limit.
 *
 * @example
 * ```ts
 * wholeRollupsWithin([{ row: { rollup: 'a' } }, { row: { rollup: 'b' } }], 3); // the first: 'a' and its item
 * wholeRollupsWithin([{ row: { rollup: 'a' }, bytes: 3e6 }, { row: { rollup: 'b' }, bytes: 3e6 }], 100, { budget: 3_784_704, perRollup: 3_400 }); // 'a'
 * ```
 */
export function wholeRollupsWithin<
  W extends { readonly row: { readonly rollup: string }; readonly bytes?: number },
>(writes: readonly W[], limit: number, bytes?: PartBytes): readonly W[] {
  const byRollup = new Map<string, W[]>();
  for (const w of writes) {
    const list = byRollup.get(w.row.rollup);
    if (list === undefined) byRollup.set(w.row.rollup, [w]);
    else list.push(w);
  }
  const sizeOf = (rows: readonly W[]) =>
    bytes === undefined ? 0 : bytes.perRollup + rows.reduce((a, w) => a + (w.bytes ?? 0), 0);
  const budget = bytes?.budget ?? Number.POSITIVE_INFINITY;
  const whole = (bytes?.perRollup ?? 0) * (byRollup.size - 1) + sizeOf(writes);
  if (writes.length + byRollup.size <= limit && whole <= budget) return writes;
  const out: W[] = [];
  let rollups = 0;
  let size = 0;
  for (const rows of byRollup.values()) {
    const more = sizeOf(rows);
    if (out.length + rows.length + rollups + 1 > limit || size + more > budget) break;
    out.push(...rows);
    rollups++;
    size += more;
  }
  const first = byRollup.values().next().value ?? [];
  if (out.length === 0 && first.length + 1 > limit)
    throw new DynotallyError(
      'INTERNAL_ERROR',
      `one record's rows in one rollup do not fit a transaction of ${limit} items`,
      { details: { rollup: writes[0]?.row.rollup, limit } },
    );
  return out;
}

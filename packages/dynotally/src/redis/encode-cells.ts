import { labelKind } from '../layout/explode-row.ts';
import type { RowWrite } from '../plan/index.ts';
import { exactDecimal } from './exact-decimal.ts';
import { bucketId, cellField, rankKey } from './keys.ts';

/**
 * Flush bucket widths: `bucketMs` for every row kind, unless `rowBucketMs` names a width for the row's kind
 * (`hour`, `day`, `month`, `all` …: the granularity of the row's sort key).
 *
 * @example
 * ```ts
 * const widths: BucketWidths = { bucketMs: 15 * 60_000, rowBucketMs: { month: 3_600_000, all: 3_600_000 } };
 * ```
 */
export interface BucketWidths {
  bucketMs: number;
  rowBucketMs?: Readonly<Partial<Record<string, number>>> | undefined;
}

/**
 * A batch's row deltas as the cell list of the buffer's write script (sent as one JSON array of strings):
 * the number of buckets, then per bucket its id (the instant it closes), its width and its cells — the number of
 * partition keys, per key `pk, nfields, (field, delta)…`, then the number of ranked deltas and
 * `(rankKey, pk, delta)…`. Each row goes to the bucket of its kind's width that contains `now`. Deltas are exact
 * decimal strings (the script adds them exactly), also one that is no DynamoDB number itself (`1e20 + 1e-19`,
 * coalesced from two records of one batch): what must fit DynamoDB is the sum a cell would hold, and the write
 * script checks that before it writes anything.
 *
 * @example
 * ```ts
 * const { args, cells } = encodeCells(planWrites(coalescer, { now }).rows, now, { bucketMs: 900_000 });
 * // args: ['1', '1795353300000', '900000', '1', 'store#ss-1', '2', 'M2026-11|orders', '3', 'M2026-11|orders_22', '3', '0']
 * ```
 */
export function encodeCells(
  rows: readonly RowWrite[],
  now: number,
  widths: BucketWidths,
): { args: string[]; cells: number; ranked: number; buckets: number[] } {
  const byBucket = new Map<number, { width: number; byPk: Map<string, string[]>; ranked: string[] }>();
  let cells = 0;
  let ranked = 0;
  for (const row of rows) {
    const width = widths.rowBucketMs?.[labelKind(row.sk)] ?? widths.bucketMs;
    const id = bucketId(now, width);
    let bucket = byBucket.get(id);
    if (bucket === undefined) {
      bucket = { width, byPk: new Map(), ranked: [] };
      byBucket.set(id, bucket);
    } else if (width < bucket.width) bucket.width = width; // two widths closing together: either grid works
    let list = bucket.byPk.get(row.pk);
    if (list === undefined) {
      list = [];
      bucket.byPk.set(row.pk, list);
    }
    for (const [attr, delta] of row.adds) {
      list.push(cellField(row.sk, attr), exactDecimal(delta));
      cells++;
    }
    if (row.leaderboard !== undefined) {
      bucket.ranked.push(rankKey(row.rollup, row.sk), row.pk, exactDecimal(row.leaderboard.delta));
      ranked++;
    }
  }
  const ids = [...byBucket.keys()].sort((a, b) => a - b);
  const args: string[] = [String(ids.length)];
  for (const id of ids) {
    const b = byBucket.get(id) as { width: number; byPk: Map<string, string[]>; ranked: string[] };
    args.push(String(id), String(b.width), String(b.byPk.size));
    for (const [pk, list] of b.byPk) {
      args.push(pk, String(list.length / 2));
      for (const x of list) args.push(x);
    }
    args.push(String(b.ranked.length / 3));
    for (const x of b.ranked) args.push(x);
  }
  return { args, cells, ranked, buckets: ids };
}

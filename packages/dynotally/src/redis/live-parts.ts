import type { CompiledRollup } from '../definition/index.ts';
import { additionParts } from '../layout/write-limits.ts';
import { isZeroNum, type Num } from '../numbers/index.ts';
import { rankedDelta } from './ranked-delta.ts';
import { placeRow } from './rows-from-cells.ts';

/**
 * The attribute names of each write the flush makes of one row's cells in one bucket, in order: one write, or, for a
 * row too wide for one, its parts as `rowParts` cuts them (redis/row-parts.ts: the non-zero cells in attribute
 * order, the leaderboard's `lbv` with the last part when the row carries one: {@link rankedDelta}, which
 * `rowsFromCells` plans the flushed row's entry by). Zero cells are in no write (the flush skips them). A row the
 * flusher cannot place, by its own decision ({@link placeRow}: a rollup not given, a row kind the rollup has no
 * longer, a label that names no bucket of its calendar), is `undefined`: the flusher letters it whole and writes
 * none of it (before review s44z it was one write, which a read added).
 *
 * @example
 * ```ts
 * flushWrites(byName, 'wide#sa', 'H2026-11-22T08:00', cells)?.map((w) => w.length); // [100, 83]
 * ```
 */
export function flushWrites(
  rollups: ReadonlyMap<string, CompiledRollup>,
  pk: string,
  sk: string,
  cells: ReadonlyMap<string, Num>,
): string[][] | undefined {
  const place = placeRow(rollups, pk, sk);
  if (!('kind' in place)) return undefined;
  const adds = [...cells].filter(([, v]) => !isZeroNum(v));
  return additionParts(adds, rankedDelta(place.rollup, place.kind, adds) !== undefined).map((part) =>
    part.map(([a]) => a),
  );
}

/**
 * A bucket's pending deltas of one row (`deltas`: the cells the stored row does not hold yet) cut as the flush writes
 * them ({@link flushWrites} of the bucket's cells, `whole`, held ones too, so the cut is the flush's): DynamoDB
 * refuses each write on its own (a sum past 38 digits) and the flusher letters only that part (`ROW_REJECTED`), so a
 * read must leave out only that part as well (review s42x). Empty writes are left out; zero deltas, in no write,
 * come last, on their own. A row the flush writes none of (`writesOf` gives `undefined`: lettered whole) has no
 * write at all (review s44z).
 *
 * @example
 * ```ts
 * const writes = inFlushWrites(deltas, whole, (cells) => flushWrites(byName, pk, sk, cells));
 * ```
 */
export function inFlushWrites(
  deltas: ReadonlyMap<string, Num>,
  whole: ReadonlyMap<string, Num>,
  writesOf: (cells: ReadonlyMap<string, Num>) => string[][] | undefined,
): Map<string, Num>[] {
  const writes = writesOf(whole);
  if (writes === undefined) return [];
  const out: Map<string, Num>[] = [];
  const placed = new Set<string>();
  for (const names of writes) {
    const write = new Map<string, Num>();
    for (const a of names) {
      placed.add(a);
      const d = deltas.get(a);
      if (d !== undefined) write.set(a, d);
    }
    if (write.size > 0) out.push(write);
  }
  const rest = new Map([...deltas].filter(([a]) => !placed.has(a)));
  if (rest.size > 0) out.push(rest);
  return out;
}

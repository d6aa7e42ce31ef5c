import type { CompiledRollup } from '../definition/index.ts';
import { labelKind } from '../layout/explode-row.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { additionParts } from '../layout/write-limits.ts';
import { isZeroNum, type Num } from '../numbers/index.ts';
import { rankedDelta } from './ranked-delta.ts';

/**
 * The attribute names of each write the flush makes of one row's cells in one bucket, in order: one write, or, for a
 * row too wide for one, its parts as `rowParts` cuts them (redis/row-parts.ts: the non-zero cells in attribute
 * order, the leaderboard's `lbv` with the last part when the row carries one: {@link rankedDelta}, which
 * `rowsFromCells` plans the flushed row's entry by). Zero cells are in no write (the flush skips them). A row of a
 * rollup not given, or of a kind it has no longer, is one write (the flusher letters it whole).
 *
 * @example
 * ```ts
 * flushWrites(byName, 'wide#sa', 'H2026-11-22T08:00', cells).map((w) => w.length); // [100, 83]
 * ```
 */
export function flushWrites(
  rollups: ReadonlyMap<string, CompiledRollup>,
  pk: string,
  sk: string,
  cells: ReadonlyMap<string, Num>,
): string[][] {
  const adds = [...cells].filter(([, v]) => !isZeroNum(v));
  const c = rollups.get(parsePartitionKey(pk).rollup);
  const kind = c?.rows.find((r) => r.row.id === labelKind(sk));
  if (c === undefined || kind === undefined) return [adds.map(([a]) => a)];
  return additionParts(adds, rankedDelta(c, kind, adds) !== undefined).map((part) => part.map(([a]) => a));
}

/**
 * A bucket's pending deltas of one row (`deltas`: the cells the stored row does not hold yet) cut as the flush writes
 * them ({@link flushWrites} of the bucket's cells, `whole`, held ones too, so the cut is the flush's): DynamoDB
 * refuses each write on its own (a sum past 38 digits) and the flusher letters only that part (`ROW_REJECTED`), so a
 * read must leave out only that part as well (review s42x). Empty writes are left out; zero deltas, in no write,
 * come last, on their own.
 *
 * @example
 * ```ts
 * const writes = inFlushWrites(deltas, whole, (cells) => flushWrites(byName, pk, sk, cells));
 * ```
 */
export function inFlushWrites(
  deltas: ReadonlyMap<string, Num>,
  whole: ReadonlyMap<string, Num>,
  writesOf: (cells: ReadonlyMap<string, Num>) => string[][],
): Map<string, Num>[] {
  const out: Map<string, Num>[] = [];
  const placed = new Set<string>();
  for (const names of writesOf(whole)) {
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

import { WRITE_LIMITS } from './dynamo-limits.ts';

/**
 * Most counters one row write adds. A PartiQL `UPDATE` spends up to two operators on each (`if_not_exists(…) +
 * ?`), so 100 stay well within 300 operators beside the watermark's conditions; an `UpdateItem`'s `ADD #aN :vN`
 * list of 100 is about 1,300 bytes of its 4 KB.
 */
export const MAX_ADDS_PER_WRITE = 100;

/**
 * Characters of a row's PartiQL `UPDATE` besides its additions, at most: the table name (255, every character
 * a doubled quote at worst), `updatedAt`, `ttl`, the leaderboard entry, the shard's state and its conditions,
 * and the `REMOVE`s of 16 finished shards' states (`MAX_FINISHED_SHARDS`), with room to spare.
 */
export const STATEMENT_RESERVE_CHARS = 2200;

/** Characters one addition takes in the longest statement form: ` SET "a" = if_not_exists("a", 0) + ?`. */
function additionChars(name: string): number {
  return 2 * name.length + 33;
}

/**
 * Whether one row write adding these attributes (counters) fits in a single request on every write path: at
 * most {@link MAX_ADDS_PER_WRITE} of them, and their PartiQL text within the statement limit less
 * {@link STATEMENT_RESERVE_CHARS}. Attribute names are letters, digits and `_` (measure names and packed
 * suffixes), so none needs quotes doubled.
 *
 * @example
 * ```ts
 * additionsFit(['orders', 'orders_22']); // true
 * additionsFit(Array.from({ length: 120 }, (_, i) => `kwh_${i}`)); // false: more than 100 counters
 * ```
 */
export function additionsFit(names: readonly string[]): boolean {
  const n = names.length;
  if (n > MAX_ADDS_PER_WRITE) return false;
  let chars = 0;
  for (let i = 0; i < n; i++) chars += additionChars(names[i] as string);
  return chars <= WRITE_LIMITS.statementChars - STATEMENT_RESERVE_CHARS;
}

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

/**
 * The writes a row's additions are cut into so that each fits one write ({@link additionsFit}): additions that
 * fit together stay one part, as given; wider ones are cut in attribute-name order, each part as long as fits.
 * With `leaderboard`, the last part also carries the leaderboard's `lbv` (and gets a part of its own, empty of
 * additions, when it does not fit beside them). Pure: the same additions, in any order, give the same parts; one
 * addition whose name alone passes the limit is still a part (the caller decides what to do with it).
 *
 * @example
 * ```ts
 * const adds = Array.from({ length: 250 }, (_, i) => [`kwh_${i}`, '1'] as const);
 * additionParts(adds, false).map((p) => p.length); // [100, 100, 50]
 * ```
 */
export function additionParts<A extends readonly [string, unknown]>(
  adds: readonly A[],
  leaderboard: boolean,
): A[][] {
  const names = adds.map(([a]) => a);
  if (leaderboard) names.push('lbv');
  if (additionsFit(names)) return [[...adds]];
  const sorted = [...adds].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts: A[][] = [];
  let part: A[] = [];
  for (const add of sorted) {
    if (part.length > 0 && !additionsFit([...part.map(([a]) => a), add[0]])) {
      parts.push(part);
      part = [];
    }
    part.push(add);
  }
  // the last part carries the leaderboard entry too: it gets a part of its own if it does not fit beside it
  if (leaderboard && !additionsFit([...part.map(([a]) => a), 'lbv'])) {
    parts.push(part);
    part = [];
  }
  parts.push(part);
  return parts;
}

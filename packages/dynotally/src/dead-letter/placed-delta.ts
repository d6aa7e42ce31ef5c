import type { CompiledRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { explodeRow, labelKind } from '../layout/explode-row.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { leaderboardKey, rowTtl } from '../plan/index.ts';
import type { DeadLetterDelta } from './dead-letter.ts';

/**
 * A Redis flusher's `UNKNOWN_ROLLUP` row (cells of a rollup the flusher was not given, or had no row kind for) as
 * the flush would have written it, when the replay is given a definition of its rollup that places it: the row's
 * kind, a bucket of its calendar, and every attribute of the delta one the kind writes (`explodeRow`). It then gets
 * the TTL of its kind's retention and, for a ranked row, its leaderboard entry, which the flusher could not know.
 * A rollup added in a rolling deploy (appliers on the new configuration, a flusher still on the old one) so loses
 * nothing once its letters are replayed with it. The leaderboard delta is the measure's cell in `adds`, or in
 * `written` (a row a newer flusher wrote in part: the cell is in the row, the entry, written with the last part,
 * is not). A row no given definition places, or that several of its
 * definitions place differently, a row carrying a TTL or an entry already, or a malformed key: as it is (its deltas
 * added to the row as named). Pure.
 *
 * @example
 * ```ts
 * placedDelta({ pk: 'orders#sg', sk: 'ALL', adds: [['n', '2']] }, new Map([['orders', [orders.compiled]]]));
 * // { pk: 'orders#sg', sk: 'ALL', adds: [['n', '2']], ttl: undefined, leaderboard: { key: 'orders#ALL#0', delta: '2' } }
 * ```
 */
export function placedDelta(
  d: DeadLetterDelta,
  byName: ReadonlyMap<string, readonly CompiledRollup[]>,
): DeadLetterDelta {
  if (d.ttl !== undefined || d.leaderboard !== undefined) return d;
  let name: string;
  try {
    name = parsePartitionKey(d.pk).rollup;
  } catch (e) {
    if (isDynotallyError(e)) return d;
    throw e;
  }
  const defs = byName.get(name) ?? [];
  const placed = defs.map((c) => placeIn(c, d));
  const first = placed[0];
  if (first === undefined || placed.some((p) => p === undefined || !samePlacement(p, first))) return d;
  return first;
}

/** The delta as `c` would have flushed it, or undefined when `c` does not place it. */
function placeIn(c: CompiledRollup, d: DeadLetterDelta): DeadLetterDelta | undefined {
  const kind = c.rows.find((r) => r.row.id === labelKind(d.sk));
  if (kind === undefined) return undefined;
  let bucketEnd: number;
  try {
    bucketEnd = c.calendar.bucketByLabel(d.sk).end;
    // every attribute one of the kind's placements writes: a rollup of that name with another layout places none
    if (explodeRow(c, d.sk, Object.fromEntries(d.adds)).length !== d.adds.length) return undefined;
  } catch (e) {
    if (isDynotallyError(e)) return undefined;
    throw e;
  }
  let leaderboard: DeadLetterDelta['leaderboard'];
  const lb = c.leaderboard;
  if (kind.ranked && lb !== undefined) {
    const storeAs = c.measures.find((m) => m.name === lb.measure)?.storeAs;
    // a row a newer flusher wrote in part holds the measure's cell already, without its entry (the last part's)
    const delta = [...d.adds, ...(d.written ?? [])].find(([attr]) => attr === storeAs)?.[1];
    if (delta !== undefined) leaderboard = { key: leaderboardKey(c.name, d.sk, d.pk, lb.shards), delta };
  }
  return { ...d, ttl: rowTtl({ kind, bucketEnd }), leaderboard };
}

const samePlacement = (a: DeadLetterDelta, b: DeadLetterDelta): boolean =>
  a.ttl === b.ttl &&
  a.leaderboard?.key === b.leaderboard?.key &&
  a.leaderboard?.delta === b.leaderboard?.delta;

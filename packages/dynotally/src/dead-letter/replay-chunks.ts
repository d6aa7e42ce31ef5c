import { createHash } from 'node:crypto';
import { fitsOneTransaction } from '../apply/transaction-bytes.ts';
import { additionParts } from '../layout/write-limits.ts';
import type { DeadLetterDelta } from './dead-letter.ts';

/**
 * One `TransactWriteItems` of a dead letter's replay: the row updates it sends beside the letter's marker, and
 * the id the marker records (`undefined`: the letter's only transaction, marked by `replayedAt` alone).
 *
 * @example
 * ```ts
 * const chunk: ReplayChunk = { id: '0/2:1f0c…', updates: [{ pk: 'jobs#sc-1', sk: 'D2026-11-22', adds: [['n', '1']] }] };
 * ```
 */
export interface ReplayChunk {
  readonly id: string | undefined;
  /**
   * The id the release before rows were cut gave this chunk, when it differs from `id` (a first chunk holding the
   * first part of a cut row): that release sent such a row whole, one `UpdateItem`, which DynamoDB takes up to
   * about 300 counters. Marked on a letter, it says the chunk's rows were counted whole, their further parts too.
   */
  readonly legacyId?: string | undefined;
  /** Row updates, at most one per row, each within one write ({@link additionParts}). */
  readonly updates: readonly DeadLetterDelta[];
}

const rowKey = (d: DeadLetterDelta): string => `${d.pk}\n${d.sk}`;

/** A row's updates: the row itself when its additions fit one write, else its parts, the leaderboard in the last. */
function rowUpdates(d: DeadLetterDelta): DeadLetterDelta[] {
  const parts = additionParts(d.adds, d.leaderboard !== undefined);
  if (parts.length === 1) return [d];
  return parts.map((adds, k) => ({
    ...d,
    adds,
    leaderboard: k === parts.length - 1 ? d.leaderboard : undefined,
  }));
}

/**
 * What a replay's transactions may hold besides their items' count (DynamoDB's 4 MB of items): the bytes each
 * row update counts for (a bound: the rows are not read; each part of a cut row counts the whole row), and the
 * bytes of the letter's item, which each transaction's marker updates, given the replay's updates in all (the
 * most chunks it can have: `letterItemBound`).
 *
 * @example
 * ```ts
 * const sizes: ReplaySizes = { row: () => DYNAMO_LIMITS.itemBytes, marker: (n) => letterItemBound(letter.baseBytes, n) };
 * ```
 */
export interface ReplaySizes {
  readonly row: (update: DeadLetterDelta) => number;
  readonly marker: (updates: number) => number;
}

/** What one transaction of the cut holds so far: its row updates and bytes, the marker's counted. */
class Room {
  rows = 0;
  bytes: number;
  constructor(marker: number) {
    this.bytes = marker;
  }
  /** One more row update of `bytes` and the marker fit one transaction (`fitsOneTransaction`). */
  fits(bytes: number): boolean {
    return fitsOneTransaction(this.rows + 2, this.bytes + bytes);
  }
  add(bytes: number): void {
    this.rows++;
    this.bytes += bytes;
  }
}

/**
 * The transactions a dead letter's rows are replayed in, in sending order; pure, and the same for the same rows
 * in any order (a row named twice, by a letter written by hand, is one row whose updates are each one's, in the
 * letter's order), so a later replay skips exactly the chunks an interrupted one marked. Rows sorted by key fill
 * the first chunks in turn, each up to 99 rows (DynamoDB's 100 items less the letter's marker) and, with `sizes`, up to the
 * bytes one transaction may carry with the letter's marker (`fitsOneTransaction`: DynamoDB refuses a transaction
 * over 4 MB of items on every attempt, and DynamoDB Local does not). Where the bytes never bind, or without
 * `sizes`, the chunks are exactly those of the releases that cut by items alone, 99 rows to a chunk (same chunks,
 * same ids, so a letter partly replayed by an older version resumes where it stopped: {@link replayCut}). A row
 * whose additions do not fit one write (over 100 counters, or their PartiQL text over its bound: `additionsFit`,
 * which also keeps the `UpdateExpression` far within 4 KB) puts its first part there and its further parts in
 * chunks after them, each part in a later chunk than the one before (one transaction cannot update an item
 * twice), the first with room. With more than one chunk each gets an id: `<index>/<first chunks>:<hash>` for
 * the first chunks and `<index>/<first chunks>+<later chunks>:<hash>` for the later ones, the hash over the
 * chunk's row keys and, for a part of a cut row, its attribute names.
 *
 * @example
 * ```ts
 * for (const chunk of replayChunks(rows, sizes)) {
 *   if (chunk.id !== undefined && letter.replayedChunks.includes(chunk.id)) continue;
 *   // send chunk.updates and the letter's marker for chunk.id in one TransactWriteItems
 * }
 * ```
 */
export function replayChunks(rows: readonly DeadLetterDelta[], sizes?: ReplaySizes): ReplayChunk[] {
  const bytesOf = sizes?.row ?? (() => 0);
  const sorted = [...rows].sort((a, b) =>
    a.pk < b.pk || (a.pk === b.pk && a.sk < b.sk) ? -1 : a.pk === b.pk && a.sk === b.sk ? 0 : 1,
  );
  // a row named twice (a letter written by hand: DynamoDB refuses two updates of one item in a transaction) is
  // one row whose updates are those of each, in the letter's order: the second's go in later chunks
  const updates: DeadLetterDelta[][] = [];
  for (const d of sorted) {
    const prev = updates[updates.length - 1]?.[0];
    if (prev !== undefined && rowKey(prev) === rowKey(d)) updates[updates.length - 1]?.push(...rowUpdates(d));
    else updates.push(rowUpdates(d));
  }
  const marker = sizes?.marker(updates.reduce((n, parts) => n + parts.length, 0)) ?? 0;
  const first: DeadLetterDelta[][] = [];
  let room: Room | undefined;
  for (const parts of updates) {
    const head = parts[0] as DeadLetterDelta;
    const bytes = bytesOf(head);
    if (room === undefined || !room.fits(bytes)) {
      room = new Room(marker);
      first.push([]);
    }
    first[first.length - 1]?.push(head);
    room.add(bytes);
  }
  if (first.length === 0) first.push([]);
  const later: DeadLetterDelta[][] = [];
  const rooms: Room[] = [];
  const cut = new Set<string>();
  for (const parts of updates) {
    if (parts.length > 1) cut.add(rowKey(parts[0] as DeadLetterDelta));
    let t = -1;
    for (let k = 1; k < parts.length; k++) {
      const part = parts[k] as DeadLetterDelta;
      const bytes = bytesOf(part);
      t++;
      while (rooms[t] !== undefined && !rooms[t]?.fits(bytes)) t++;
      rooms[t] ??= new Room(marker);
      rooms[t]?.add(bytes);
      later[t] ??= [];
      later[t]?.push(part);
    }
  }
  const all = [...first, ...later];
  if (all.length === 1) return [{ id: undefined, updates: all[0] as DeadLetterDelta[] }];
  const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
  return all.map((chunk, c) => {
    const text = chunk
      .map((u) => (cut.has(rowKey(u)) ? `${rowKey(u)}\n${partNames(u)}` : rowKey(u)))
      .join('\n');
    const head = c < first.length ? `${c}/${first.length}` : `${c}/${first.length}+${later.length}`;
    const id = `${head}:${hash(text)}`;
    // the id before rows were cut: the chunk's row keys alone (the same as `id` when none of its rows is cut)
    const legacy =
      c < first.length && first.length > 1 ? `${head}:${hash(chunk.map(rowKey).join('\n'))}` : id;
    return legacy === id ? { id, updates: chunk } : { id, legacyId: legacy, updates: chunk };
  });
}

const partNames = (u: DeadLetterDelta): string =>
  `${u.adds.map(([a]) => a).join(',')}${u.leaderboard === undefined ? '' : ',~lbv'}`;

/**
 * The digest of a replay's cut (every chunk's id, in order), recorded on the letter by each chunk's marker: a
 * replay resumed with rollups that cut other chunks (a rollup added or removed since) has another, and is refused
 * instead of adding rows the interrupted replay already committed.
 *
 * @example
 * ```ts
 * replayPlanDigest(replayChunks(rows)); // 22 characters
 * ```
 */
export function replayPlanDigest(chunks: readonly ReplayChunk[]): string {
  const hash = createHash('sha256');
  for (const c of chunks) hash.update(`${c.id ?? ''}\n`);
  return hash.digest('base64url').slice(0, 22);
}

/**
 * The chunks a letter's replay sends: `rows` cut by items and bytes ({@link replayChunks} with `sizes`), unless
 * the letter holds marks of an interrupted replay by a release that cut by items alone, or by bytes with other
 * sizes (`olderSizes`: e.g. a letter's `deltas` rows each at 400 KB, before they were sized from their rollup), on a
 * letter where the cuts differ (its recorded plan is the older cut's digest; before plans were recorded, a marked
 * id of the items-only cut that the new one lacks): that replay is resumed with its own cut, so no chunk it
 * committed is sent again.
 *
 * @example
 * ```ts
 * const chunks = replayCut(planned.rows, sizes, letter);
 * ```
 */
export function replayCut(
  rows: readonly DeadLetterDelta[],
  sizes: ReplaySizes,
  letter: { readonly replayedChunks: readonly string[]; readonly replayPlan: string | undefined },
  olderSizes: readonly ReplaySizes[] = [],
): ReplayChunk[] {
  const byBytes = replayChunks(rows, sizes);
  if (letter.replayedChunks.length === 0) return byBytes;
  const byItems = replayChunks(rows);
  if (letter.replayPlan !== undefined) {
    // the cut whose digest the letter records: this release's, an older release's sizes, or the items alone
    if (letter.replayPlan === replayPlanDigest(byBytes)) return byBytes;
    for (const older of olderSizes) {
      const cut = replayChunks(rows, older);
      if (letter.replayPlan === replayPlanDigest(cut)) return cut;
    }
    return letter.replayPlan === replayPlanDigest(byItems) ? byItems : byBytes;
  }
  const ids = (chunks: readonly ReplayChunk[]) =>
    new Set(chunks.flatMap((c) => [c.id, c.legacyId]).filter((id) => id !== undefined));
  const mine = ids(byBytes);
  const older = ids(byItems);
  return letter.replayedChunks.some((id) => !mine.has(id) && older.has(id)) ? byItems : byBytes;
}

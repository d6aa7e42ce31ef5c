import { createHash } from 'node:crypto';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { additionParts } from '../layout/write-limits.ts';
import type { DeadLetterDelta } from './dead-letter.ts';

/** Row updates per replay transaction: the dead letter's marker is the last item. */
export const REPLAY_ROWS_PER_TRANSACTION = DYNAMO_LIMITS.transactionItems - 1;

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
 * The transactions a dead letter's rows are replayed in, in sending order; pure, and the same for the same rows
 * in any order (a row named twice, by a letter written by hand, is one row whose updates are each one's, in the
 * letter's order), so a later replay skips exactly the chunks an interrupted one marked. Rows sorted by key fill
 * the first chunks, {@link REPLAY_ROWS_PER_TRANSACTION} to a chunk, exactly as before rows were ever cut (same
 * chunks, same ids, so a letter partly replayed by an older version resumes where it stopped). A row whose
 * additions do not fit one write (over 100 counters, or their PartiQL text over its bound: `additionsFit`, which
 * also keeps the `UpdateExpression` far within 4 KB) puts its first part there and its further parts in chunks
 * after them, each part in a later chunk than the one before (one transaction cannot update an item twice).
 * With more than one chunk each gets an id: `<index>/<first chunks>:<hash>` for the first chunks and
 * `<index>/<first chunks>+<later chunks>:<hash>` for the later ones, the hash over the chunk's row keys and, for
 * a part of a cut row, its attribute names.
 *
 * @example
 * ```ts
 * for (const chunk of replayChunks(rows)) {
 *   if (chunk.id !== undefined && letter.replayedChunks.includes(chunk.id)) continue;
 *   // send chunk.updates and the letter's marker for chunk.id in one TransactWriteItems
 * }
 * ```
 */
export function replayChunks(rows: readonly DeadLetterDelta[]): ReplayChunk[] {
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
  const first: DeadLetterDelta[][] = [];
  for (let i = 0; i < updates.length; i += REPLAY_ROWS_PER_TRANSACTION)
    first.push(updates.slice(i, i + REPLAY_ROWS_PER_TRANSACTION).map((u) => u[0] as DeadLetterDelta));
  if (first.length === 0) first.push([]);
  const later: DeadLetterDelta[][] = [];
  const cut = new Set<string>();
  for (const parts of updates) {
    if (parts.length > 1) cut.add(rowKey(parts[0] as DeadLetterDelta));
    let t = -1;
    for (let k = 1; k < parts.length; k++) {
      t++;
      while ((later[t]?.length ?? 0) >= REPLAY_ROWS_PER_TRANSACTION) t++;
      later[t] ??= [];
      later[t]?.push(parts[k] as DeadLetterDelta);
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

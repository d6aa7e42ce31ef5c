import type { Image } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { foldBatch, type PoisonRecord } from '../fold/index.ts';
import type { ScanClaim } from './claim.ts';
import { scanRecord } from './decided-records.ts';
import { hasScannedTime } from './scanned-time.ts';

/**
 * Whether the scan counts an image in a version: it has the version's time attribute (an untimed item is counted
 * by the stream at its record's time, which a scan cannot know) and folds into at least one cell (inside `match`,
 * with a group and a measure).
 *
 * @example
 * ```ts
 * countable(storeMetrics.compiled, { storeId: { S: 's-1' }, ts: { N: '1764000000' } }); // true
 * ```
 */
export function countable(version: CompiledRollup, image: Image): boolean {
  return scanVerdict(version, image) === 'member';
}

/**
 * What one fold of a scanned image says of it: `member` (the scan counts it, {@link countable}), `refused` (the
 * fold refuses its values, {@link refuses}) or `none` (untimed, outside `match`, no group or measure).
 *
 * @example
 * ```ts
 * scanVerdict(amounts.compiled, { storeId: { S: 's' }, t: { N: '1764000000000' }, amount: { S: 'abc' } }); // 'refused'
 * ```
 */
export function scanVerdict(version: CompiledRollup, image: Image): 'member' | 'refused' | 'none' {
  if (!hasScannedTime(version, image)) return 'none';
  const record = scanRecord(image, { source: 'members', chunk: 0, index: 0, timeSeconds: 0 });
  const fold = foldBatch([version], [record]);
  return fold.poison.length > 0 ? 'refused' : fold.coalescer.size > 0 ? 'member' : 'none';
}

/**
 * The journal's record of which of a chunk's items the scan counts, decided once from the scanned page (a
 * consistent read) by the process that journals the chunk: bit `i` set when item `i` was countable. Every process
 * that runs the chunk later (a resume, a second process on the segment) claims only these items, so none of them
 * can count an item that became countable after the chunk's rows were written (its record would fall below the
 * rows' watermark of the segment, and its claim would make the stream skip the change): such an item is the
 * stream's, which finds no claim and adds its new image. One bit per journaled key (a key takes at least 4 bytes
 * of the journal, so the bitmap stays under 10 KB beside its 300 KB of keys).
 *
 * @example
 * ```ts
 * const bits = memberBits([true, false, true]); // Uint8Array [0b101]
 * ```
 */
export function memberBits(members: readonly boolean[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(members.length / 8));
  members.forEach((m, i) => {
    if (m) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  });
  return bits;
}

/**
 * Whether the scan claims journaled item `index` when it finds no claim for it. From the journal's bits when it
 * has them. A journal of an earlier build has none: its chunk's claims are complete once `applying` is set (that
 * build stamps it after its claims, before its rows), so then no item is claimed afresh; before that, every item
 * is claimed (an uncountable one with a claim of nothing), which fixes the decision for every later process.
 *
 * @example
 * ```ts
 * claimsItem({ members: memberBits([true, false]) }, 1, undefined); // false: left to the stream
 * ```
 */
export function claimsItem(
  journal: { readonly members?: Uint8Array | undefined },
  index: number,
  applying: number | undefined,
): boolean {
  const bits = journal.members;
  if (bits === undefined) return applying === undefined;
  return bitAt(bits, index);
}

/** Bit `index` of a bitmap {@link memberBits} made. */
function bitAt(bits: Uint8Array, index: number): boolean {
  return (((bits[index >> 3] ?? 0) >> (index & 7)) & 1) === 1;
}

/**
 * The first claim the scan writes for a journaled item it claims: the image it read, when the version counts it;
 * else a claim of nothing (the item became uncountable, or was deleted, since the chunk was journaled), so a
 * later process running the chunk folds nothing for it either, whatever the item holds by then.
 *
 * @example
 * ```ts
 * scanClaimOf(version, image, 0, 3); // { by: 'scan', segment: 0, chunk: 3, image, live: undefined }
 * scanClaimOf(version, undefined, 0, 3); // { by: 'scan', segment: 0, chunk: 3, nothing: true, live: undefined }
 * ```
 */
export function scanClaimOf(
  version: CompiledRollup,
  image: Image | undefined,
  segment: number,
  chunk: number,
): ScanClaim {
  const at = { by: 'scan' as const, segment, chunk, live: undefined };
  return image !== undefined && countable(version, image) ? { ...at, image } : { ...at, nothing: true };
}

/**
 * Why the fold refuses a scanned item's values (its poison record, at the item's index in the chunk), or undefined
 * when it folds or is no member. An item without its time attribute is no member, as in {@link countable}.
 *
 * @example
 * ```ts
 * const poison = foldRefusal(version, image, { source, chunk: 3, index: 7, timeSeconds: 0, keys });
 * if (poison !== undefined) await deadLetter.send([toDeadLetter(poison, source, 'bf-0/4', Date.now())]);
 * ```
 */
export function foldRefusal(
  version: CompiledRollup,
  image: Image,
  at: { source: string; chunk: number; index: number; timeSeconds: number; keys?: Image | undefined },
): PoisonRecord | undefined {
  if (!hasScannedTime(version, image)) return undefined;
  const poison = foldBatch([version], [scanRecord(image, at)]).poison[0];
  return poison === undefined ? undefined : { ...poison, index: at.index };
}

/**
 * Whether the fold refuses a scanned image's values (see {@link foldRefusal}): such an item is no member of its
 * chunk, and the journal marks it (`refusedBits`) so that a later process running the chunk reads it again and
 * sends its letter, which a crash after the journal may have cut off.
 *
 * @example
 * ```ts
 * refuses(amounts.compiled, { storeId: { S: 's' }, t: { N: '1764000000000' }, amount: { S: 'abc' } }); // true
 * ```
 */
export function refuses(version: CompiledRollup, image: Image): boolean {
  return scanVerdict(version, image) === 'refused';
}

/**
 * The journal's record of which of a chunk's items the fold refused when it was journaled (bit `i` for item `i`,
 * as {@link memberBits}), or undefined when none was: nothing is added to a journal without refusals.
 *
 * @example
 * ```ts
 * refusedBits([false, true, false]); // Uint8Array [0b010]
 * refusedBits([false, false]); // undefined
 * ```
 */
export function refusedBits(refused: readonly boolean[]): Uint8Array | undefined {
  return refused.some((r) => r) ? memberBits(refused) : undefined;
}

/**
 * Whether journaled item `index` is one the fold refused when the chunk was journaled: its letter is sent by
 * every process that runs the chunk (the process that journaled it from its page, a resume after reading the item
 * again), under the same key (`bf-<segment>/<segments>`, the chunk and the index), so the sink keeps it once.
 * False for a journal without such bits (none refused, or a journal of an earlier build).
 *
 * @example
 * ```ts
 * refusedAt({ refused: refusedBits([false, true]) }, 1); // true: read again on a resume, and dead-lettered
 * ```
 */
export function refusedAt(journal: { readonly refused?: Uint8Array | undefined }, index: number): boolean {
  return journal.refused !== undefined && bitAt(journal.refused, index);
}

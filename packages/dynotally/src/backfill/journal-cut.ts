import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { attributeValueSize } from '../cost/index.ts';

/**
 * Most bytes of item keys one chunk's journal holds. The journal lives in the segment's progress item, which
 * DynamoDB caps at 400 KB; the rest of the item (its key, cursor, chunk end and counters, a few KB at most, and
 * the chunk's member bits and refused bits: one of each per key, under 10 KB each) fits in what is left.
 *
 * @example
 * ```ts
 * journalCut(keys) // keys.length when their journal stays within JOURNAL_KEY_BYTES
 * ```
 */
export const JOURNAL_KEY_BYTES = 300_000;

/**
 * How many of a scanned page's item keys (in scan order) one chunk journals: all of them while their journal
 * list stays within `budget` bytes (DynamoDB's item-size rules), else the longest prefix that does — at least
 * one key (a key is at most about 3 KB). The chunk then ends at its last journaled key, and the next chunk
 * scans on from there: the items past the cut are read again by the next chunk, never claimed by this one.
 *
 * @example
 * ```ts
 * const n = journalCut(keys); // keys.slice(0, n) is the chunk; keys[n - 1] its end when n < keys.length
 * ```
 */
export function journalCut(
  keys: readonly Record<string, AttributeValue>[],
  budget: number = JOURNAL_KEY_BYTES,
): number {
  let bytes = 3; // the list
  for (let i = 0; i < keys.length; i++) {
    bytes += 1 + attributeValueSize({ M: keys[i] as Record<string, AttributeValue> });
    if (bytes > budget) return Math.max(1, i);
  }
  return keys.length;
}

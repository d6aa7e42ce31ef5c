import { describe, expect, it } from 'vitest';
import { attributeValueSize } from '../cost/index.ts';
import { JOURNAL_KEY_BYTES, journalCut } from './journal-cut.ts';

const key = (i: number, bytes: number) => ({
  id: { S: `${String(i).padStart(6, '0')}${'p'.repeat(bytes - 6)}` },
  sk: { S: 's'.repeat(bytes) },
});
/** The journal's list of keys as DynamoDB sizes it. */
const listBytes = (keys: ReturnType<typeof key>[]) => attributeValueSize({ L: keys.map((k) => ({ M: k })) });

describe('journalCut', () => {
  it('keeps a page whose keys fit whole', () => {
    const keys = Array.from({ length: 500 }, (_, i) => key(i, 200));
    expect(journalCut(keys)).toBe(500);
    expect(journalCut([])).toBe(0);
  });

  it('cuts a page of long keys at the longest prefix within the budget', () => {
    const keys = Array.from({ length: 500 }, (_, i) => key(i, 1_000)); // about 2 KB a key: 1 MB in all
    const n = journalCut(keys);
    expect(n).toBeGreaterThan(100);
    expect(n).toBeLessThan(500);
    expect(listBytes(keys.slice(0, n))).toBeLessThanOrEqual(JOURNAL_KEY_BYTES);
    expect(listBytes(keys.slice(0, n + 1))).toBeGreaterThan(JOURNAL_KEY_BYTES);
  });

  it('always journals at least one key', () => {
    expect(journalCut([key(0, 1_000), key(1, 1_000)], 100)).toBe(1);
  });
});

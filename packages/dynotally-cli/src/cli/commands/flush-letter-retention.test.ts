import { describe, expect, it } from 'vitest';
import { flushLetterRetentionDays } from './flush-letter-retention.ts';

describe('flushLetterRetentionDays', () => {
  it("keeps the sink's 14 days unless the buffer's keys outlive them, then their life and a day", () => {
    expect(flushLetterRetentionDays(undefined)).toBe(14);
    expect(flushLetterRetentionDays(7 * 86_400_000)).toBe(14);
    expect(flushLetterRetentionDays(13 * 86_400_000)).toBe(14);
    expect(flushLetterRetentionDays(14 * 86_400_000)).toBe(15);
    expect(flushLetterRetentionDays(30 * 86_400_000 + 1)).toBe(32);
  });
});

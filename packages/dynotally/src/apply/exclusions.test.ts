import { describe, expect, it } from 'vitest';
import { decodeExclusions, exclusionEntry, rowHash } from './exclusions.ts';

const refusing = rowHash('amounts#sbig\u0000ALL');
const keeping = rowHash('kindSums#sk\u0000ALL');
const refusal = { seq: '0042', rows: [refusing], tooLarge: false, at: 1_763_800_000 };

describe('exclusion entries and the rows that keep a record', () => {
  it('an entry without kept rows is stored as before (no `k`)', () => {
    expect(JSON.parse(exclusionEntry(refusal))).toEqual({ s: '0042', r: [refusing], t: 0, a: 1_763_800_000 });
  });

  it("a kept row's entry, merged with the refusal's, gives both the refusing and the kept rows", () => {
    const entries = [exclusionEntry(refusal), exclusionEntry({ ...refusal, kept: [keeping] })];
    expect(decodeExclusions(entries).get('0042')).toEqual({ ...refusal, kept: [keeping] });
    // alone (the refusal's entry gone first, or on another page), it is still a whole exclusion
    expect(decodeExclusions(entries.slice(1)).get('0042')).toEqual({ ...refusal, kept: [keeping] });
  });

  it('entries written before kept rows existed decode with none', () => {
    expect(decodeExclusions([exclusionEntry(refusal)]).get('0042')?.kept).toEqual([]);
  });

  it('a record refused for the 4 MB a transaction carries keeps that cause (`o`), `t` as a row over 400 KB', () => {
    const over = { ...refusal, tooLarge: true, over: 'transaction' as const };
    expect(JSON.parse(exclusionEntry(over))).toEqual({
      s: '0042',
      r: [refusing],
      t: 1,
      o: 1,
      a: 1_763_800_000,
    });
    expect(decodeExclusions([exclusionEntry(over)]).get('0042')).toEqual({ ...over, kept: [] });
    // merged with a kept row's entry written without it (recordKept copies it, but an older release does not)
    const entries = [exclusionEntry(over), exclusionEntry({ ...refusal, tooLarge: true, kept: [keeping] })];
    expect(decodeExclusions(entries).get('0042')?.over).toBe('transaction');
    expect(
      decodeExclusions([exclusionEntry({ ...refusal, tooLarge: true })]).get('0042')?.over,
    ).toBeUndefined();
  });
});

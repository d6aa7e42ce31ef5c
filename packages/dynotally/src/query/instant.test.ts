import { describe, expect, it } from 'vitest';
import { DynotallyError } from '../errors/index.ts';
import { toEpochMs } from './instant.ts';

/** The error `toEpochMs` throws for `value`, or undefined. */
function refusal(value: string): DynotallyError | undefined {
  try {
    toEpochMs(value, 'at');
    return undefined;
  } catch (e) {
    if (e instanceof DynotallyError) return e;
    throw e;
  }
}

describe('toEpochMs refusals say why', () => {
  // Hours are 00–23 (isoInstantMs' grammar, shared with event times): ISO 8601's `24:00`, the end of a day, is
  // refused; the message said only "is not an ISO-8601 instant with a zone", which 24:00 is in ISO 8601's terms.
  it('24:00 (the end of a day) is refused, naming hour 24 and the next day it means', () => {
    const e = refusal('2026-12-07T24:00Z');
    expect(e?.code).toBe('QUERY_INVALID');
    expect(e?.message).toContain('hour 24');
    expect(e?.message).toContain("'2026-12-08T00:00Z'");
    expect(toEpochMs('2026-12-08T00:00Z', 'at')).toBe(Date.UTC(2026, 11, 8));
    // over a month's and a year's end, with seconds, a fraction and an offset kept as written
    expect(refusal('2026-02-28T24:00:00+01:00')?.message).toContain("'2026-03-01T00:00:00+01:00'");
    expect(refusal('2026-12-31t24:00:00.000Z')?.message).toContain("'2027-01-01t00:00:00.000Z'");
    expect(refusal('2026-12-07 24:00-05:30')?.message).toContain("'2026-12-08 00:00-05:30'");
  });

  it('another hour past 23, or 24 with minutes, is told the range of hours without a next day', () => {
    for (const value of ['2026-12-07T24:30Z', '2026-12-07T25:00Z', '2026-12-07T24:00:01Z']) {
      const e = refusal(value);
      expect(e?.code, value).toBe('QUERY_INVALID');
      expect(e?.message, value).toContain('hours are 00–23');
      expect(e?.message, value).not.toContain('2026-12-08');
    }
  });

  it('a 24:00 that is malformed otherwise (no zone) keeps the general message', () => {
    expect(refusal('2026-12-07T24:00')?.message).toContain('is not an ISO-8601 instant with a zone');
  });

  it('a day its month does not have is still named as such', () => {
    expect(refusal('2026-02-29T10:00:00Z')?.message).toContain('month 2 of 2026 has 28 days');
  });
});

import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { eventTime } from '../fold/index.ts';
import { toEpochMs } from '../query/instant.ts';
import { isoDate, isoInstantMs } from './iso-instant.ts';

const at = Date.UTC(2026, 10, 22, 13, 5);

describe('isoInstantMs', () => {
  it('reads the RFC 3339 forms, the offset with or without its colon, HH:MM without seconds', () => {
    expect(isoInstantMs('2026-11-22T13:05:00Z')).toBe(at);
    expect(isoInstantMs('2026-11-22t13:05:00z')).toBe(at);
    expect(isoInstantMs('2026-11-22 13:05:00Z')).toBe(at);
    expect(isoInstantMs('2026-11-22T13:05Z')).toBe(at);
    expect(isoInstantMs('2026-11-22T18:50:00+05:45')).toBe(at);
    expect(isoInstantMs('2026-11-22T18:50:00+0545')).toBe(at);
    expect(isoInstantMs('2026-11-22T09:35:00-03:30')).toBe(at);
    expect(isoInstantMs('2026-11-22T13:05:00-00:00')).toBe(at);
  });

  it('reads an extended offset with seconds (local mean time, as zonedIso prints it)', () => {
    expect(isoInstantMs('1971-06-01T09:00:00-00:44:30')).toBe(Date.UTC(1971, 5, 1, 9, 44, 30));
    expect(isoInstantMs('1971-06-01T09:00:00.250-00:44:30')).toBe(Date.UTC(1971, 5, 1, 9, 44, 30, 250));
    expect(isoInstantMs('2026-11-22T18:50:07+05:45:07')).toBe(at);
    expect(isoInstantMs('2026-11-22T13:05:00+00:00:00')).toBe(at);
  });

  it('truncates a fraction of any length to the millisecond (floors, as epoch fractions are)', () => {
    expect(isoInstantMs('2026-11-22T13:05:00.5Z')).toBe(at + 500);
    expect(isoInstantMs('2026-11-22T13:05:00.25Z')).toBe(at + 250);
    expect(isoInstantMs('2026-11-22T13:05:00.123Z')).toBe(at + 123);
    expect(isoInstantMs('2026-11-22T13:05:00.123999999Z')).toBe(at + 123);
    expect(isoInstantMs('1969-12-31T23:59:59.9999Z')).toBe(-1);
  });

  it('reads a leap second as the last millisecond of its minute', () => {
    expect(isoInstantMs('2016-12-31T23:59:60Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(isoInstantMs('2017-01-01T00:59:60.5+01:00')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
  });

  it('refuses (NaN) impossible dates and fields, other forms, and any text around an instant', () => {
    for (const s of [
      '2026-02-29T10:00:00Z',
      '2026-06-31T10:00:00+02:00',
      '2026-13-01T10:00:00Z',
      '2026-11-22T24:00:00Z',
      '2026-11-22T10:60:00Z',
      '2026-11-22T10:00:61Z',
      '2026-11-22T10:00:00+24:00',
      '2026-11-22T10:00:00+01:60',
      '2026-11-22T10:00:00+01',
      '2026-11-22T10:00:00+01:00:60',
      '2026-11-22T10:00:00+01:00:5',
      '2026-11-22T10:00:00+01:00:',
      '2026-11-22T10:00:00+0100:30',
      '2026-11-22T10:00:00+010030',
      '2026-11-22T10:00:00+01:00:30.5',
      '2026-11-22T10:00:00',
      '2026-11-22T10:00:00.Z',
      '2026-11-22T10:00:00,5Z',
      '2026-11-22T10Z',
      '+002026-11-22T10:00:00Z',
      ' 2026-11-22T10:00:00Z',
      '2026-11-22T10:00:00Z ',
      '2026-11-22T10:00:00 Z',
      'Sun, 22 Nov 2026 10:00:00 +0100',
      'Nov 22 2026 10:00 Z',
      '2026-11T10:00:00Z',
      '2026-11-22',
    ])
      expect(isoInstantMs(s), s).toBeNaN();
  });
});

describe('isoDate', () => {
  it('reads YYYY-MM-DD, a day its month has, and nothing else', () => {
    expect(isoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const s of [
      '2026-02-29',
      '2026-1-1',
      '2026/11/22',
      '11/22/2026',
      '2026-11',
      '2026',
      'Nov 2026',
      '1',
    ])
      expect(isoDate(s), s).toBeUndefined();
  });
});

describe('the fold and the query read instants alike', () => {
  const r = defineRollup({
    name: 'r',
    groupBy: 'g',
    time: { attribute: 't', format: 'iso8601' },
    granularities: ['day'],
    measures: { n: count() },
  }).compiled;
  const fold = (s: string): number | string => {
    try {
      return eventTime(r, { t: { S: s } }, { approximateTimeMs: 0 } as Parameters<typeof eventTime>[2]);
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  const query = (s: string): number | string => {
    try {
      return toEpochMs(s, 'from');
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  it('same instant, or both refuse (more than 3 fraction digits are truncated on both sides)', () => {
    for (const s of [
      '2026-11-22T13:05:00.123456Z',
      '2026-11-22T13:05:00.9999+05:30',
      '2016-12-31T23:59:60Z',
      '2026-11-22T13:05+0100',
      '1971-06-01T09:00:00-00:44:30',
      '2026-02-29T10:00:00Z',
      '2026-11-22T10:00:00',
      '2026/11/22 10:00Z',
    ]) {
      const f = fold(s);
      expect(f === 'VALUE_INVALID' ? 'refused' : f, s).toEqual(
        query(s) === 'QUERY_INVALID' ? 'refused' : query(s),
      );
    }
    expect(query('2026-11-22T13:05:00.123456Z')).toBe(at + 123);
  });
});

import { describe, expect, it } from 'vitest';
import { type ErrorCode, isDynotallyError } from '../errors/index.ts';
import { ALL_BUCKET, type Bucket } from './bucket.ts';
import { calendarFor } from './calendar-for.ts';
import { type GranularitySpec, parseGranularity } from './granularity.ts';
import { MAX_INSTANT, MIN_INSTANT } from './instant.ts';
import { ZoneCalendar } from './zone-calendar.ts';

const g = parseGranularity;
const H = 3_600_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const span = (b: Bucket) => ({
  label: b.label,
  start: new Date(b.start).toISOString(),
  hours: (b.end - b.start) / H,
});

function codeOf(f: () => unknown): ErrorCode | string | undefined {
  try {
    f();
  } catch (e) {
    return isDynotallyError(e) ? e.code : String(e);
  }
  return undefined;
}

/** Every bucket of `spec` inside `outer`, by walking `next`. */
function inside(cal: ZoneCalendar, spec: GranularitySpec, outer: Bucket): Bucket[] {
  const out: Bucket[] = [];
  for (let b = cal.bucket(spec, outer.start); b.start < outer.end; b = cal.next(b, spec)) out.push(b);
  return out;
}

describe('day boundaries', () => {
  it('UTC: 23:59:59.999 and 00:00', () => {
    const cal = calendarFor('UTC');
    expect(span(cal.bucket(g('day'), utc('2026-11-22T23:59:59.999')))).toEqual({
      label: 'D2026-11-22',
      start: '2026-11-22T00:00:00.000Z',
      hours: 24,
    });
    expect(cal.bucket(g('day'), utc('2026-11-23T00:00:00')).label).toBe('D2026-11-23');
    expect(cal.bucket(g('second'), utc('2026-11-22T23:59:59.999')).label).toBe('s2026-11-22T23:59:59');
    expect(cal.bucket(g('minute'), utc('2026-11-22T23:59:59.999')).label).toBe('m2026-11-22T23:59');
    expect(cal.bucket(g('year'), utc('2026-12-31T23:59:59.999')).label).toBe('Y2026');
    expect(cal.bucket(g('year'), utc('2027-01-01T00:00:00')).label).toBe('Y2027');
  });

  it('London summer: local 23:59:59.999 and 00:00', () => {
    const cal = calendarFor('Europe/London');
    expect(cal.bucket(g('day'), utc('2026-07-01T22:59:59.999')).label).toBe('D2026-07-01');
    expect(span(cal.bucket(g('day'), utc('2026-07-01T23:00:00')))).toEqual({
      label: 'D2026-07-02',
      start: '2026-07-01T23:00:00.000Z',
      hours: 24,
    });
    expect(cal.bucket(g('month'), utc('2026-06-30T22:59:59.999')).label).toBe('M2026-06');
    expect(cal.bucket(g('month'), utc('2026-06-30T23:00:00')).label).toBe('M2026-07');
  });

  it('New York: 23:59:59.999 local is the same day, in UTC already the next', () => {
    const cal = calendarFor('America/New_York');
    expect(cal.bucket(g('day'), utc('2026-11-23T04:59:59.999')).label).toBe('D2026-11-22');
    expect(cal.bucket(g('day'), utc('2026-11-23T05:00:00')).label).toBe('D2026-11-23');
  });
});

describe('DST', () => {
  it('London spring forward 2026-03-29: a 23-hour day of 23 hour buckets', () => {
    const cal = calendarFor('Europe/London');
    const day = cal.bucketByLabel('D2026-03-29');
    expect(span(day)).toEqual({ label: 'D2026-03-29', start: '2026-03-29T00:00:00.000Z', hours: 23 });
    const hours = inside(cal, g('hour'), day);
    expect(hours).toHaveLength(23);
    expect(hours.map((h) => h.label).slice(0, 3)).toEqual([
      'H2026-03-29T00:00',
      'H2026-03-29T01:00',
      'H2026-03-29T02:00',
    ]);
    expect(cal.localParts(utc('2026-03-29T01:00:00')).hour).toBe(2); // 01:00 local never happened
    expect(cal.startOfLocalDay(2026, 3, 30) - cal.startOfLocalDay(2026, 3, 29)).toBe(23 * H);
    expect(span(cal.bucketByLabel('M2026-03'))).toEqual({
      label: 'M2026-03',
      start: '2026-03-01T00:00:00.000Z',
      hours: 31 * 24 - 1,
    });
    expect(span(cal.bucketByLabel('W2026-W13')).hours).toBe(7 * 24 - 1);
  });

  it('London fall back 2026-10-25: a 25-hour day; 01:xx local happens twice, in two hour buckets', () => {
    const cal = calendarFor('Europe/London');
    const day = cal.bucketByLabel('D2026-10-25');
    expect(span(day)).toEqual({ label: 'D2026-10-25', start: '2026-10-24T23:00:00.000Z', hours: 25 });
    expect(inside(cal, g('hour'), day)).toHaveLength(25);
    const first = cal.bucket(g('hour'), utc('2026-10-25T00:30:00'));
    const second = cal.bucket(g('hour'), utc('2026-10-25T01:30:00'));
    expect([first.label, second.label]).toEqual(['H2026-10-25T00:00', 'H2026-10-25T01:00']);
    expect(cal.localParts(first.start).hour).toBe(1);
    expect(cal.localParts(second.start).hour).toBe(1);
    expect(inside(cal, g('15m'), day)).toHaveLength(100);
  });

  it('New York 2026: 23- and 25-hour days', () => {
    const cal = calendarFor('America/New_York');
    expect(span(cal.bucketByLabel('D2026-03-08'))).toEqual({
      label: 'D2026-03-08',
      start: '2026-03-08T05:00:00.000Z',
      hours: 23,
    });
    expect(span(cal.bucketByLabel('D2026-11-01'))).toEqual({
      label: 'D2026-11-01',
      start: '2026-11-01T04:00:00.000Z',
      hours: 25,
    });
    expect(cal.offsetMs(utc('2026-03-08T06:59:59.999'))).toBe(-5 * H);
    expect(cal.offsetMs(utc('2026-03-08T07:00:00'))).toBe(-4 * H);
  });

  it('Havana changes at midnight: the day starts at 01:00 when midnight is skipped', () => {
    const cal = calendarFor('America/Havana');
    expect(new Date(cal.startOfLocalDay(2026, 3, 8)).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(span(cal.bucketByLabel('D2026-03-08'))).toEqual({
      label: 'D2026-03-08',
      start: '2026-03-08T05:00:00.000Z',
      hours: 23,
    });
    expect(cal.localParts(utc('2026-03-08T05:00:00'))).toMatchObject({ day: 8, hour: 1, minute: 0 });
    expect(span(cal.bucketByLabel('D2026-11-01'))).toEqual({
      label: 'D2026-11-01',
      start: '2026-11-01T04:00:00.000Z',
      hours: 25,
    });
  });

  it('Santiago falls back at 24:00 to 23:00: a 25-hour Saturday', () => {
    const cal = calendarFor('America/Santiago');
    expect(span(cal.bucketByLabel('D2026-04-04'))).toEqual({
      label: 'D2026-04-04',
      start: '2026-04-04T03:00:00.000Z',
      hours: 25,
    });
  });

  it('Goose Bay fell back from 00:01 to 23:01 the day before: those instants belong to the later day', () => {
    const cal = calendarFor('America/Goose_Bay');
    const t = utc('2010-11-07T03:30:00');
    expect(cal.localParts(t)).toMatchObject({ month: 11, day: 6, hour: 23, minute: 30 });
    expect(span(cal.bucket(g('day'), t))).toEqual({
      label: 'D2010-11-07',
      start: '2010-11-07T03:00:00.000Z',
      hours: 25,
    });
    expect(span(cal.bucketByLabel('D2010-11-06'))).toEqual({
      label: 'D2010-11-06',
      start: '2010-11-06T03:00:00.000Z',
      hours: 24,
    });
    expect(cal.bucket(g('week'), t).label).toBe('W2010-W44'); // Sunday 7th, still ISO week 44
    const casey = calendarFor('Antarctica/Casey'); // 2010-03-05 02:00 +11 → 2010-03-04 23:00 +08
    expect(casey.bucket(g('day'), utc('2010-03-04T15:30:00')).label).toBe('D2010-03-05');
  });

  it('Lord Howe shifts by 30 minutes: a 23.5-hour day with one 30-minute hour bucket', () => {
    const cal = calendarFor('Australia/Lord_Howe');
    const day = cal.bucketByLabel('D2026-10-04');
    expect(span(day).hours).toBe(23.5);
    const hours = inside(cal, g('hour'), day);
    expect(hours).toHaveLength(24);
    expect(hours.filter((h) => h.end - h.start !== H).map(span)).toEqual([
      { label: 'H2026-10-03T15:30', start: '2026-10-03T15:30:00.000Z', hours: 0.5 },
    ]);
    expect(span(cal.bucketByLabel('D2026-04-05')).hours).toBe(24.5);
  });

  it('Chatham (+12:45/+13:45) changes at 02:45 local: hour buckets are cut at the change', () => {
    const cal = calendarFor('Pacific/Chatham');
    expect(span(cal.bucket(g('hour'), utc('2026-09-26T13:30:00')))).toEqual({
      label: 'H2026-09-26T13:15',
      start: '2026-09-26T13:15:00.000Z',
      hours: 0.75,
    });
    expect(span(cal.bucket(g('hour'), utc('2026-09-26T14:05:00')))).toEqual({
      label: 'H2026-09-26T14:00',
      start: '2026-09-26T14:00:00.000Z',
      hours: 0.25,
    });
    expect(cal.bucket(g('hour'), utc('2026-09-26T14:15:00')).label).toBe('H2026-09-26T14:15');
  });
});

describe('fractional-hour zones', () => {
  it('Kathmandu (+05:45): hour buckets start at :15 UTC, the day at 18:15 UTC', () => {
    const cal = calendarFor('Asia/Kathmandu');
    expect(span(cal.bucket(g('hour'), utc('2026-11-22T12:20:00')))).toEqual({
      label: 'H2026-11-22T12:15',
      start: '2026-11-22T12:15:00.000Z',
      hours: 1,
    });
    expect(cal.bucket(g('15m'), utc('2026-11-22T12:20:00')).label).toBe('q2026-11-22T12:15');
    expect(cal.bucket(g('30m'), utc('2026-11-22T12:20:00')).label).toBe('q2026-11-22T12:15');
    expect(span(cal.bucket(g('day'), utc('2026-11-22T12:20:00')))).toEqual({
      label: 'D2026-11-22',
      start: '2026-11-21T18:15:00.000Z',
      hours: 24,
    });
    expect(inside(cal, g('hour'), cal.bucketByLabel('D2026-11-22'))).toHaveLength(24);
  });

  it('Kathmandu moved from +05:30 to +05:45 on 1986-01-01: one 45-minute hour bucket', () => {
    const cal = calendarFor('Asia/Kathmandu');
    expect(span(cal.bucket(g('hour'), utc('1985-12-31T18:40:00')))).toEqual({
      label: 'H1985-12-31T18:30',
      start: '1985-12-31T18:30:00.000Z',
      hours: 0.75,
    });
    expect(span(cal.bucketByLabel('D1986-01-01'))).toEqual({
      label: 'D1986-01-01',
      start: '1985-12-31T18:30:00.000Z',
      hours: 24 - 0.25,
    });
  });

  it('Kolkata (+05:30): hour buckets start at :30 UTC', () => {
    const cal = calendarFor('Asia/Kolkata');
    expect(cal.bucket(g('hour'), utc('2026-11-22T12:40:00')).label).toBe('H2026-11-22T12:30');
    expect(cal.bucket(g('hour'), utc('2026-11-22T12:29:59.999')).label).toBe('H2026-11-22T11:30');
    expect(cal.offsetMs(utc('2026-11-22T12:40:00'))).toBe(5.5 * H);
  });

  it('St Johns changed at 00:01 local (1987–1999), off the 15-minute UTC grid', () => {
    const cal = calendarFor('America/St_Johns');
    expect(cal.offsetMs(utc('1990-04-01T03:30:59.999'))).toBe(-3.5 * H);
    expect(cal.offsetMs(utc('1990-04-01T03:31:00'))).toBe(-2.5 * H);
    expect(span(cal.bucket(g('hour'), utc('1990-04-01T03:30:30')))).toEqual({
      label: 'H1990-04-01T03:30',
      start: '1990-04-01T03:30:00.000Z',
      hours: 1 / 60,
    });
    expect(cal.bucket(g('hour'), utc('1990-04-01T03:31:00')).label).toBe('H1990-04-01T03:31');
  });

  it('Monrovia left −00:44:30 at 00:44:30Z in 1972: labels carry seconds and still sort', () => {
    const cal = calendarFor('Africa/Monrovia');
    const before = cal.bucket(g('hour'), utc('1972-01-07T00:30:00'));
    expect(before.label).toBe('H1972-01-06T23:44:30');
    const labels = [before, cal.next(before), cal.next(cal.next(before))].map((b) => b.label);
    expect(labels).toEqual(['H1972-01-06T23:44:30', 'H1972-01-07T00:44:30', 'H1972-01-07T01:00']);
    expect([...labels].sort()).toEqual(labels);
    expect(cal.bucketByLabel('H1972-01-07T00:44:30')).toBe(cal.next(before));
  });
});

describe('ISO weeks', () => {
  const cal = calendarFor('UTC');
  it.each([
    ['2027-01-01T00:00:00', 'W2026-W53', '2026-12-28'],
    ['2026-01-01T12:00:00', 'W2026-W01', '2025-12-29'],
    ['2024-12-30T00:00:00', 'W2025-W01', '2024-12-30'],
    ['2021-01-03T23:59:59.999', 'W2020-W53', '2020-12-28'],
    ['2010-01-03T00:00:00', 'W2009-W53', '2009-12-28'],
    ['2026-11-22T13:05:00', 'W2026-W47', '2026-11-16'],
  ])('%s is in %s starting %s', (iso, label, monday) => {
    const b = cal.bucket(g('week'), utc(iso));
    expect(span(b)).toEqual({ label, start: `${monday}T00:00:00.000Z`, hours: 168 });
  });

  it('steps over week 53 and the week-year boundary', () => {
    const w53 = cal.bucketByLabel('W2026-W53');
    expect(cal.next(w53).label).toBe('W2027-W01');
    expect(cal.previous(cal.bucketByLabel('W2026-W01')).label).toBe('W2025-W52');
    expect(codeOf(() => cal.bucketByLabel('W2025-W53'))).toBe('GRANULARITY_INVALID');
  });

  it('follows the local calendar: Sunday night in New York is already Monday in UTC', () => {
    const t = utc('2026-11-23T03:00:00');
    expect(cal.bucket(g('week'), t).label).toBe('W2026-W48');
    expect(calendarFor('America/New_York').bucket(g('week'), t).label).toBe('W2026-W47');
  });
});

describe('skipped day (Pacific/Apia, 2011-12-30)', () => {
  const cal = calendarFor('Pacific/Apia');
  it('has an empty bucket that next and previous step over', () => {
    const skipped = cal.bucketByLabel('D2011-12-30');
    expect(skipped.end).toBe(skipped.start);
    const before = cal.bucketByLabel('D2011-12-29');
    const after = cal.next(before);
    expect(after.label).toBe('D2011-12-31');
    expect(after.start).toBe(before.end);
    expect(cal.previous(after).label).toBe('D2011-12-29');
    expect(cal.bucket(g('day'), before.end).label).toBe('D2011-12-31');
  });
});

describe('API behaviour', () => {
  it('memoises calendars per zone and returns frozen, reused buckets', () => {
    expect(calendarFor('Europe/London')).toBe(calendarFor('Europe/London'));
    const cal = new ZoneCalendar('Europe/London');
    const t = utc('2026-11-22T13:05:00');
    const day = cal.bucket(g('day'), t);
    expect(Object.isFrozen(day)).toBe(true);
    expect(cal.bucket(g('day'), t + 1000)).toBe(day);
    expect(cal.bucket(g('hour'), t)).toBe(cal.bucket(g('hour'), t + 60_000));
    expect(cal.bucketByLabel('D2026-11-22')).toBe(day);
    expect(cal.bucket(g('all'), t)).toBe(ALL_BUCKET);
    expect(ALL_BUCKET).toEqual({
      label: 'ALL',
      start: Number.NEGATIVE_INFINITY,
      end: Number.POSITIVE_INFINITY,
    });
  });

  it('treats UTC aliases as UTC', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'utc', 'GMT']) {
      const cal = new ZoneCalendar(zone);
      expect(cal.offsetMs(utc('2026-07-01T00:00:00'))).toBe(0);
      expect(cal.bucket(g('day'), utc('2026-07-01T00:00:00')).start).toBe(utc('2026-07-01T00:00:00'));
    }
  });

  it('gives local parts with ISO weekday', () => {
    expect(calendarFor('America/New_York').localParts(utc('2026-11-22T13:05:09.007'))).toEqual({
      year: 2026,
      month: 11,
      day: 22,
      hour: 8,
      minute: 5,
      second: 9,
      millisecond: 7,
      weekday: 7,
    });
  });

  it.each([['Mars/Olympus_Mons'], [''], ['Europe/Londn'], ['+05:00']])(
    'rejects the zone %j with UNKNOWN_TIME_ZONE',
    (zone) => {
      expect(codeOf(() => new ZoneCalendar(zone))).toBe('UNKNOWN_TIME_ZONE');
      expect(() => calendarFor(zone)).toThrow(/'Europe\/London'/);
    },
  );

  it('rejects instants that are not epoch milliseconds in years 0001–9998', () => {
    const cal = calendarFor('Europe/London');
    for (const t of [Number.NaN, Number.POSITIVE_INFINITY, 1e17, -1e15]) {
      for (const id of ['day', 'hour', 'second', 'all']) {
        expect(
          codeOf(() => cal.bucket(g(id), t)),
          `${id} ${t}`,
        ).toBe('VALUE_INVALID');
      }
      expect(codeOf(() => cal.localParts(t))).toBe('VALUE_INVALID');
    }
    expect(codeOf(() => cal.startOfLocalDay(2026, 2, 29))).toBe('VALUE_INVALID');
    expect(codeOf(() => cal.startOfLocalDay(2026, 13, 1))).toBe('VALUE_INVALID');
    expect(codeOf(() => cal.startOfLocalDay(2026.5, 1, 1))).toBe('VALUE_INVALID');
  });

  // An instant accepted near the ends of the range is in year 0 or 9999 in a zone far from UTC (St John's was
  // UTC−3:30:52 in year 1, Kiritimati is UTC+14): its local buckets then had labels (M0000-12, Y9999) that no
  // reader parses, and rows under them the query, verify and dead-letter code could not read.
  it.each([
    ['America/St_Johns'],
    ['Asia/Manila'],
    ['Pacific/Pago_Pago'],
    ['Asia/Kathmandu'],
    ['Pacific/Kiritimati'],
    ['America/Sitka'],
  ])('in %s every accepted instant at the ends of the range has buckets whose labels read back', (zone) => {
    const cal = calendarFor(zone);
    const ends = [MIN_INSTANT, MIN_INSTANT + 3_600_000, MAX_INSTANT - 3_600_000, MAX_INSTANT - 1];
    for (const t of ends)
      for (const id of ['hour', 'day', 'week', 'month', 'year', 'all']) {
        const b = cal.bucket(g(id), t);
        expect(cal.bucketByLabel(b.label, g(id)), `${id} at ${new Date(t).toISOString()}`).toEqual(b);
      }
    for (const t of [MIN_INSTANT - 1, MAX_INSTANT])
      expect(codeOf(() => new ZoneCalendar(zone).bucket(g('day'), t))).toBe('VALUE_INVALID');
  });

  it('rejects specs that did not come from parseGranularity', () => {
    const cal = calendarFor('UTC');
    const t = utc('2026-11-22T13:05:00');
    expect(codeOf(() => cal.bucket({ kind: 'nminute', minutes: 7, id: '7m' }, t))).toBe(
      'GRANULARITY_INVALID',
    );
    expect(codeOf(() => cal.bucket({ kind: 'nminute', id: '?m' }, t))).toBe('GRANULARITY_INVALID');
    expect(codeOf(() => cal.bucket({ kind: 'fortnight', id: 'fortnight' } as never, t))).toBe(
      'GRANULARITY_INVALID',
    );
  });

  it.each([
    ['D2026-02-30', undefined],
    ['d2026-11-22', undefined],
    ['hello', undefined],
    ['', undefined],
    ['q2026-11-22T12:15', undefined], // N-minute labels need their spec
    ['D2026-11-22', 'hour'],
    ['q2026-11-22T12:07', '15m'], // not on the 15-minute grid
    ['H2026-11-22T12:00', 'hour'], // Kathmandu hours start at :15
  ])('bucketByLabel(%j, %s) throws GRANULARITY_INVALID', (label, id) => {
    const cal = calendarFor('Asia/Kathmandu');
    expect(codeOf(() => cal.bucketByLabel(label, id === undefined ? undefined : g(id)))).toBe(
      'GRANULARITY_INVALID',
    );
  });

  it('has no neighbours for ALL and needs the spec to step N-minute buckets', () => {
    const cal = calendarFor('UTC');
    expect(codeOf(() => cal.next(ALL_BUCKET))).toBe('GRANULARITY_INVALID');
    const q = cal.bucket(g('15m'), utc('2026-11-22T12:20:00'));
    expect(codeOf(() => cal.next(q))).toBe('GRANULARITY_INVALID');
    expect(cal.next(q, g('15m')).label).toBe('q2026-11-22T12:30');
    expect(codeOf(() => cal.next(q, g('hour')))).toBe('GRANULARITY_INVALID');
  });
});

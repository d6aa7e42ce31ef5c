import { describe, expect, it } from 'vitest';
import { parseGranularity } from './granularity.ts';
import {
  type RefBucket,
  refCalendarBucket,
  refOffsetMs,
  refTransitions,
  refWallBucketByOffsets,
} from './testing/temporal-reference.ts';
import { ZoneCalendar } from './zone-calendar.ts';

// Every zone this runtime knows, around each offset transition of 2010–2030 and at a few fixed instants:
// offsets and day / month / hour / 30-minute buckets equal the Temporal reference.
//
// The reference (the Temporal polyfill) is slow, and most zones share their rules with others (418 zones, about
// 140 distinct offset histories over 2009-12 … 2031-01). The reference values of the instants near 2010–2030
// transitions (and their day and month buckets) are a function of the zone's offsets over that range alone, so
// they are computed once per distinct history, with the hour / 30-minute buckets cut at the known transitions
// instead of searched ones, and every zone's ZoneCalendar is checked against them: every zone is still checked at
// every one of its transitions. The three fixed instants are checked per zone against Temporal directly.
const ZONES = Intl.supportedValuesOf('timeZone');
const FIXED = [
  Date.UTC(1971, 5, 15, 12),
  Date.UTC(1999, 11, 31, 23, 59, 59, 999),
  Date.UTC(2087, 1, 28, 5, 45),
];
const FROM = Date.UTC(2009, 11, 1);
const TO = Date.UTC(2031, 1, 1);
const g = parseGranularity;

interface Expected {
  t: number;
  offset: number;
  day: RefBucket;
  month: RefBucket;
  hour: RefBucket;
  half: RefBucket;
}

/** The zone's offset history over 2009-12 … 2031-01 (transitions and the offsets after them), and its instants. */
function history(zone: string): { key: string; transitions: number[]; instants: number[] } {
  const transitions = refTransitions(zone, FROM, TO);
  const key = [
    `${refOffsetMs(zone, FROM)}`,
    ...transitions.map((tr) => `${tr}:${refOffsetMs(zone, tr)}`),
  ].join(',');
  const instants: number[] = [];
  for (const tr of transitions) {
    if (tr >= Date.UTC(2010, 0, 1) && tr < Date.UTC(2031, 0, 1))
      instants.push(tr - 1, tr, tr + 25 * 60_000, tr - 3 * 3_600_000);
  }
  return { key, transitions, instants };
}

/**
 * Temporal's wall-clock bucket (as `refWallBucket`), cut at the transitions of the zone's known list instead
 * of searching for them (the list is complete over the range, so the result is the same, much faster).
 */
function wallBucket(
  zone: string,
  transitions: readonly number[],
  prefix: 'H' | 'q',
  size: number,
  t: number,
): RefBucket {
  const local = t + refOffsetMs(zone, t);
  const aligned = t - (((local % size) + size) % size);
  let start = aligned;
  let end = aligned + size;
  for (const tr of transitions) {
    if (tr > aligned && tr <= t) start = tr;
    if (tr > t) {
      if (tr < end) end = tr;
      break;
    }
  }
  const iso = new Date(start).toISOString();
  const seconds = iso.slice(17, 19);
  return { label: prefix + iso.slice(0, 16) + (seconds === '00' ? '' : `:${seconds}`), start, end };
}

/** `refCalendarBucket`, remembered per zone history and bucket (instants near one transition share their day and month). */
function calendarBucket(
  memo: Map<string, RefBucket>,
  zone: string,
  kind: 'day' | 'month',
  t: number,
): RefBucket {
  const prefix = kind === 'day' ? 'D' : 'M';
  for (const b of memo.values()) if (b.label[0] === prefix && t >= b.start && t < b.end) return b;
  const b = refCalendarBucket(zone, kind, t);
  memo.set(`${kind}${b.label}`, b);
  return b;
}

const expectedByHistory = new Map<string, Expected[]>();

function expectedFor(zone: string): Expected[] {
  const { key, transitions, instants } = history(zone);
  let list = expectedByHistory.get(key);
  if (list === undefined) {
    const memo = new Map<string, RefBucket>();
    list = instants.map((t) => ({
      t,
      offset: refOffsetMs(zone, t),
      day: calendarBucket(memo, zone, 'day', t),
      month: calendarBucket(memo, zone, 'month', t),
      hour: wallBucket(zone, transitions, 'H', 3_600_000, t),
      half: wallBucket(zone, transitions, 'q', 1_800_000, t),
    }));
    expectedByHistory.set(key, list);
  }
  return list;
}

/**
 * The fixed instants are checked in every zone against Temporal directly (their history is not in the key); their
 * hour / 30-minute buckets from Temporal's offsets at the bucket's ends, without its slow transition search.
 */
function fixedFor(zone: string): Expected[] {
  return FIXED.map((t) => ({
    t,
    offset: refOffsetMs(zone, t),
    day: refCalendarBucket(zone, 'day', t),
    month: refCalendarBucket(zone, 'month', t),
    hour: refWallBucketByOffsets(zone, 'H', 3_600_000, t),
    half: refWallBucketByOffsets(zone, 'q', 1_800_000, t),
  }));
}

describe('every IANA zone', () => {
  it.each(ZONES)('%s agrees with Temporal around its 2010–2030 transitions', (zone) => {
    const cal = new ZoneCalendar(zone);
    for (const e of [...fixedFor(zone), ...expectedFor(zone)]) {
      const at = `${zone} ${new Date(e.t).toISOString()}`;
      expect(cal.offsetMs(e.t), at).toBe(e.offset);
      expect({ ...cal.bucket(g('day'), e.t) }, at).toEqual(e.day);
      expect({ ...cal.bucket(g('month'), e.t) }, at).toEqual(e.month);
      expect({ ...cal.bucket(g('hour'), e.t) }, at).toEqual(e.hour);
      expect({ ...cal.bucket(g('30m'), e.t) }, at).toEqual(e.half);
    }
  });

  it('covers 30- and 45-minute offsets and a 30-minute DST shift, with far fewer reference computations than zones', () => {
    // ICU lists some zones under their older names (Asia/Calcutta, Asia/Katmandu)
    const named = (...names: string[]) => {
      const zone = ZONES.find((z) => names.includes(z));
      expect(zone, names.join(' | ')).toBeDefined();
      return [...fixedFor(zone as string), ...expectedFor(zone as string)];
    };
    expect(named('Asia/Kolkata', 'Asia/Calcutta').some((e) => e.offset === 5.5 * 3_600_000)).toBe(true);
    expect(named('Asia/Kathmandu', 'Asia/Katmandu').some((e) => e.offset === 5.75 * 3_600_000)).toBe(true);
    expect(named('Pacific/Chatham').some((e) => e.offset === 13.75 * 3_600_000)).toBe(true);
    named('Australia/Lord_Howe');
    const lordHowe = expectedFor('Australia/Lord_Howe'); // its 2010–2030 transitions: a 30-minute DST shift
    expect(new Set(lordHowe.map((e) => e.offset))).toEqual(new Set([10.5 * 3_600_000, 11 * 3_600_000]));
    expect(expectedByHistory.size).toBeLessThan(ZONES.length);
  });
});

import { describe, expect, it } from 'vitest';
import { mod } from './civil.ts';
import { parseGranularity } from './granularity.ts';
import { instantLabel } from './labels.ts';
import { ZoneCalendar } from './zone-calendar.ts';

// Minutes follow the zone's local clock, as hours and N-minute buckets do. Where the offset is a whole number of
// minutes (every zone since 1972) that is the UTC minute, so the bucket starts and labels the fold wrote while
// minutes were UTC-aligned must stay exactly the same: checked here for every zone this runtime knows.
const minute = parseGranularity('minute');
const hour = parseGranularity('hour');
const STEP = 7 * 3_600_000 + 13 * 60_000 + 17_123; // not a divisor of a day: every minute-of-hour comes up
const FROM = Date.UTC(2000, 0, 1);
const TO = Date.UTC(2031, 0, 1);

/** Instants spread over 2000–2030, each with some seconds and milliseconds into its minute. */
function instants(): number[] {
  const out: number[] = [];
  for (let t = FROM; t < TO; t += STEP * 331) out.push(t, t + 59_999, t - mod(t, 60_000));
  return out;
}

describe('minute buckets of zones whose offsets are whole minutes', () => {
  it('are the UTC minutes, with the same labels as before, in every zone (2000–2030)', () => {
    const ts = instants();
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const cal = new ZoneCalendar(zone);
      for (const t of ts) {
        const start = t - mod(t, 60_000); // the UTC-aligned minute, as minutes were cut before
        const b = cal.bucket(minute, t);
        if (b.start !== start || b.end !== start + 60_000 || b.label !== instantLabel('m', start))
          expect({ zone, t, b }).toEqual({
            zone,
            t,
            b: { label: instantLabel('m', start), start, end: start + 60_000 },
          });
      }
    }
  });
});

describe('minute buckets of a zone whose offset has seconds (Africa/Monrovia, −00:44:30 until 1972)', () => {
  const cal = new ZoneCalendar('Africa/Monrovia');

  it('start on the local minute, so each lies inside one hour at a whole number of minutes', () => {
    for (let t = Date.UTC(1971, 5, 1, 9, 0, 7); t < Date.UTC(1971, 5, 1, 12); t += 23_000) {
      const m = cal.bucket(minute, t);
      const h = cal.bucket(hour, t);
      expect(m.end - m.start).toBe(60_000);
      expect(mod(m.start, 60_000)).toBe(30_000);
      expect(m.start >= h.start && m.end <= h.end).toBe(true);
      expect(Number.isInteger((m.start - h.start) / 60_000)).toBe(true);
    }
    expect(cal.bucket(minute, Date.UTC(1971, 5, 1, 10, 44, 10)).label).toBe('m1971-06-01T10:43:30');
    expect(cal.bucketByLabel('m1971-06-01T10:44:30', minute).start).toBe(Date.UTC(1971, 5, 1, 10, 44, 30));
  });

  it('are cut where the offset changes (1972-01-07 00:44:30Z) and whole UTC minutes after', () => {
    const t = Date.UTC(1972, 0, 7, 0, 44, 40);
    expect(cal.bucket(minute, Date.UTC(1972, 0, 7, 0, 44, 20)).label).toBe('m1972-01-07T00:43:30');
    const cut = cal.bucket(minute, t);
    expect([cut.label, cut.end - cut.start]).toEqual(['m1972-01-07T00:44:30', 30_000]);
    expect(cal.next(cut).label).toBe('m1972-01-07T00:45');
  });
});

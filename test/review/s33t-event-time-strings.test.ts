// Review s33t (time): string event times are read by `Date.parse` (src/fold/event-time.ts), which is not an
// ISO-8601 parser: V8 rolls impossible dates over ('2026-02-29' is 1 March), reads any string of at most 10
// characters with its legacy parser ('2026/11/22', '11/22/2026', '2026-1-1', even '1' = 2001-01-01) and reads
// those in the process's local time zone (TZ), so the same record lands in other buckets on a worker than in
// Lambda, and a REMOVE processed elsewhere subtracts from a bucket its INSERT never reached. The query side
// (src/query/instant.ts) refuses all of these. A leap second ('23:59:60Z', valid RFC 3339) is refused instead.
// Defects: valid-looking inputs accepted and silently misbucketed; one valid input refused (dead-lettered).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { eventTime } from '../../packages/dynotally/src/fold/event-time.ts';
import { parseGranularity } from '../../packages/dynotally/src/time/index.ts';

const rollupIn = (timeZone: string) =>
  defineRollup({
    name: 'orders',
    groupBy: 'storeId',
    time: { attribute: 'createdAt', format: 'iso8601' },
    timeZone,
    granularities: ['day'],
    measures: { orders: count() },
  }).compiled;
const utc = rollupIn('UTC');
const change = { approximateTimeMs: Date.UTC(2026, 10, 22, 12) } as Parameters<typeof eventTime>[2];

/** The event time, or the error code when the record would be dead-lettered. */
const timeOf = (createdAt: string, c = utc): number | string => {
  try {
    return eventTime(c, { createdAt: { S: createdAt } }, change);
  } catch (e) {
    return (e as { code: string }).code;
  }
};
const dayOf = (createdAt: string, c = utc): string => {
  const t = timeOf(createdAt, c);
  return typeof t === 'number' ? c.calendar.bucket(parseGranularity('day'), t).label : t;
};

describe('ISO-8601 event times (format iso8601)', () => {
  it('a day its month does not have is refused, as the query refuses it, not rolled over', () => {
    // 2026 is no leap year: counted on D2026-03-01; '2026-06-31T10:00:00+02:00' lands on D2026-07-01
    expect(timeOf('2026-02-29T10:00:00Z')).toBe('VALUE_INVALID');
  });

  it('a string that is not ISO-8601 is refused (VALUE_INVALID), not read by the legacy parser', () => {
    // each is accepted: D2026-11-22, D2026-11-22, D2026-01-01 and D2001-01-01 on a UTC host
    expect(['2026/11/22', '11/22/2026', '2026-1-1', '1'].map((s) => timeOf(s))).toEqual([
      'VALUE_INVALID',
      'VALUE_INVALID',
      'VALUE_INVALID',
      'VALUE_INVALID',
    ]);
  });

  it('the event time of a string does not depend on the TZ of the process that folds it', () => {
    const script = `
      import { eventTime } from './packages/dynotally/src/fold/event-time.ts';
      import { count, defineRollup } from './packages/dynotally/src/definition/index.ts';
      const r = defineRollup({ name: 'r', groupBy: 'g', time: { attribute: 't', format: 'iso8601' },
        granularities: ['day'], measures: { n: count() } }).compiled;
      const of = (s) => { try { return eventTime(r, { t: { S: s } }, { approximateTimeMs: 0 }); } catch (e) { return e.code; } };
      console.log(JSON.stringify(['2026/11/22', '11/22/2026', '2026-1-1'].map(of)));`;
    const run = (tz: string) =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: `${import.meta.dirname}/../..`,
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      }).trim();
    // UTC: 2026-11-22T00:00Z …; America/New_York: 2026-11-22T05:00Z … (five hours later, a Lambda and a worker disagree)
    expect(run('America/New_York')).toBe(run('UTC'));
  });

  it('a leap second (23:59:60, valid RFC 3339) is counted in its day, not dead-lettered', () => {
    expect(dayOf('2016-12-31T23:59:60Z')).toBe('D2016-12-31'); // is VALUE_INVALID
  });

  it('a date alone is the local date in the rollup zone (documented as UTC midnight instead)', () => {
    // docs/rollups.md: "A date alone ('2026-11-22') is UTC midnight", so in New York it is counted on 21 November
    expect(dayOf('2026-11-22', rollupIn('America/New_York'))).toBe('D2026-11-22'); // is D2026-11-21
  });
});

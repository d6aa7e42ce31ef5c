// Review s33t (time, query side): two small defects.
// 1. zonedIso (src/query/zoned-iso.ts) rounds the zone's offset to whole minutes but prints the local time with the
//    exact offset, so where the offset has seconds (Africa/Monrovia −00:44:30 until 1972) a series point's `iso`
//    names another instant than its `start` (30 s off): `1971-06-01T09:00:00-00:44` is 09:44:00Z, the bucket starts
//    at 09:44:30Z. The CLI prints that iso as the BUCKET column.
// 2. planTop (src/query/plan-top.ts) takes `at` with a bucket label ('M2026-11') or 'all' and ignores it, where the
//    window resolver refuses a key its shape does not take (QUERY_INVALID): `--bucket M2026-11 --at …` ranks
//    November whatever `at` says, without a word.
import { Temporal } from '@js-temporal/polyfill';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { planTop } from '../../packages/dynotally/src/query/plan-top.ts';
import { zonedIso } from '../../packages/dynotally/src/query/zoned-iso.ts';
import { calendarFor, parseGranularity } from '../../packages/dynotally/src/time/index.ts';

describe('zonedIso where the offset has seconds', () => {
  it('names the same instant as the bucket start', () => {
    const cal = calendarFor('Africa/Monrovia');
    const hour = cal.bucket(parseGranularity('hour'), Date.UTC(1971, 5, 1, 10, 20));
    expect(hour.label).toBe('H1971-06-01T09:44:30');
    const iso = zonedIso(cal, hour.start) as string;
    // was '1971-06-01T09:00:00-00:44', i.e. 09:44:00Z. Fixed: '…-00:44:30' (Date.parse does not read an offset
    // with seconds; Temporal, which follows ISO 8601's extended offsets, does)
    expect(iso).toBe('1971-06-01T09:00:00-00:44:30');
    expect(Temporal.Instant.from(iso).epochMilliseconds).toBe(hour.start);
  });
});

describe('top with a bucket label and at', () => {
  const favs = defineRollup({
    name: 'favs',
    groupBy: 'restaurantId',
    granularities: ['month', 'all'],
    measures: { favourites: count() },
    leaderboard: { measure: 'favourites', granularities: ['month', 'all'] },
  }).compiled;

  it('refuses an `at` that the named bucket ignores (QUERY_INVALID), as windows refuse unused keys', () => {
    let code: string | undefined;
    try {
      planTop(favs, 'aggregates', { bucket: 'M2026-11', at: '2027-03-05T00:00:00Z' }, Date.UTC(2026, 11, 6));
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('QUERY_INVALID'); // planned: ranks M2026-11, `at` dropped silently
  });
});

// `query --explain` names each bucket by its key and by its start in the rollup's zone: the window line above the
// table is in that zone, and minute and hour keys are UTC wall times, so the keys alone read as local times that
// they are not (a Kathmandu hour `H2026-11-21T18:15` starts at 00:00+05:45). Pure: explain plans without I/O.
import { describe, expect, it } from 'vitest';
import { planningClient } from '../../../../../test/support/planning-client.ts';
import { count, defineRollup } from '../../../../dynotally/src/definition/index.ts';
import { formatExplanation } from './query-kit.ts';

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  timeZone: 'Asia/Kathmandu',
  granularities: ['hour', 'day', 'all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['day', 'all'] },
});
const NOW = Date.UTC(2026, 10, 22, 13, 5); // 18:50 in Kathmandu (+05:45)
const query = planningClient([orders], NOW);

describe('query --explain in a zone with a 45-minute offset', () => {
  it("prints each hour and day bucket's start in the rollup's zone beside its key", () => {
    const text = formatExplanation(query.explain.total(orders, { storeId: 's-1' }, { last: '48h' }));
    expect(text).toContain(
      'buckets as key = start in Asia/Kathmandu (second, minute and hour keys are UTC wall times, longer ones dates in Asia/Kathmandu):',
    );
    // the window: 2026-11-20T19:00+05:45 → 2026-11-22T19:00+05:45; whole local days in the middle, hours at the edges
    const row = (g: string) => text.split('\n').find((l) => l.startsWith(`${g} `)) ?? '';
    expect(row('hour')).toMatch(
      / H2026-11-20T13:15 = 2026-11-20T19:00\+05:45 +H2026-11-22T12:15 = 2026-11-22T18:00\+05:45 /,
    );
    expect(row('day')).toMatch(
      / D2026-11-21 = 2026-11-21T00:00\+05:45 +D2026-11-21 = 2026-11-21T00:00\+05:45 /,
    );
  });

  it('query top: its one bucket, with the start; all time has no start and no such line', () => {
    const top = formatExplanation(query.explain.top(orders, { bucket: 'D2026-11-22' }));
    expect(top).toMatch(/ D2026-11-22 = 2026-11-22T00:00\+05:45 /);
    const all = formatExplanation(query.explain.total(orders, { storeId: 's-1' }, 'all'));
    expect(all).not.toContain('buckets as key');
    expect(all).toMatch(/^all +1 +ALL +ALL +all$/m);
  });
});

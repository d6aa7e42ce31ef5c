import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../definition/index.ts';
import { rowTtl } from '../plan/index.ts';
import { placedDelta } from './placed-delta.ts';

const def = (granularities: ['hour', 'all'] | ['all'], ranked = true) =>
  defineRollup({
    name: 'added',
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities,
    measures: { n: count() },
    ...(ranked ? { leaderboard: { measure: 'n', granularities: ['all'] as ['all'] } } : {}),
  }).compiled;

const day = { pk: 'added#sa', sk: 'D2026-11-22', adds: [['n_720', '2']] as const };
const all = { pk: 'added#sa', sk: 'ALL', adds: [['n', '2']] as const };

describe('placedDelta: an UNKNOWN_ROLLUP row as the flush would have written it', () => {
  it('gets its kind’s TTL and, ranked, its leaderboard entry from a definition that places it', () => {
    const c = def(['hour', 'all']);
    const kind = c.rows.find((r) => r.row.id === 'day');
    expect(placedDelta(day, new Map([['added', [c]]]))).toEqual({
      ...day,
      ttl: kind && rowTtl({ kind, bucketEnd: Date.UTC(2026, 10, 23) }),
      leaderboard: undefined,
    });
    expect(placedDelta(all, new Map([['added', [c]]]))).toEqual({
      ...all,
      ttl: undefined,
      leaderboard: { key: 'added#ALL#0', delta: '2' },
    });
  });

  it('takes the leaderboard delta from the cells a row written in part holds (`written`)', () => {
    const c = defineRollup({
      name: 'added',
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { n: count(), v: sum('v') },
      leaderboard: { measure: 'n', granularities: ['all'] },
    }).compiled;
    // the measure's cell was in the part a newer flusher wrote; the entry goes with the last part, not written
    const part = { pk: 'added#sa', sk: 'ALL', adds: [['v', '7']] as const, written: [['n', '2']] as const };
    expect(placedDelta(part, new Map([['added', [c]]]))).toEqual({
      ...part,
      ttl: undefined,
      leaderboard: { key: 'added#ALL#0', delta: '2' },
    });
  });

  it('stays as it is when no given definition places it, or two place it differently', () => {
    expect(placedDelta(day, new Map())).toBe(day); // the rollup not given
    expect(placedDelta(day, new Map([['added', [def(['all'])]]]))).toBe(day); // no day rows
    // an attribute the kind does not write: another layout under the same name
    const odd = {
      ...all,
      adds: [
        ['n', '2'],
        ['x', '1'],
      ] as const,
    };
    expect(placedDelta(odd, new Map([['added', [def(['hour', 'all'])]]]))).toBe(odd);
    expect(placedDelta(all, new Map([['added', [def(['all']), def(['all'], false)]]]))).toBe(all);
    // a TTL or an entry already (a ROW_REJECTED row): its own
    const rejected = { ...day, ttl: 1 };
    expect(placedDelta(rejected, new Map([['added', [def(['hour', 'all'])]]]))).toBe(rejected);
  });
});

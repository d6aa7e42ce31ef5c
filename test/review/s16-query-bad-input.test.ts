// Review s16 (query client): bad arguments that got no coded error, or silently asked another question.
// Pure: nothing is sent (the client points nowhere; explain() plans without I/O).
// - `null` options (`total(r, g, w, null)`, also totalMany, series, latest): a raw TypeError ("Cannot read
//   properties of null (reading 'consistent')"); now the same as no options.
// - totalMany with a sparse list of groups: a raw TypeError deep in the request builder; now GROUP_INVALID.
// - An ISO instant naming a day its month does not have ('2026-02-30T00:00:00Z'): Date.parse rolls it over to
//   2 March, and the window silently starts there; now QUERY_INVALID.
// - A window object with a key that is not part of its shape was read without it: { calendar: 'month',
//   offest: -1 } (a typo) is this month, { calendar: 'day', last: '24h' } a rolling 24 h; now QUERY_INVALID
//   naming the key (keys left undefined are still allowed).
// - A window or leaderboard bucket reaching past the calendar's years (0001–9998), from arguments each check
//   accepts ({ lastYears: 2100 } of the allowed 1 … 100,000, an `at` or `to` in 9998): the calendar's
//   write-side VALUE_INVALID ("check that epoch seconds were not read as milliseconds"); now QUERY_INVALID
//   saying the window leaves the calendar's years.
// - Misspelt keys of a top() spec, a series spec or the options were ignored ({ buckett, limt } ranked ALL with
//   10 places): now QUERY_INVALID naming the key, as windows.
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import {
  energyPerMeter,
  favouritesPerRestaurant,
  jobsPerCustomer,
  storeMetrics,
} from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { errorOf } from '../support/error-of.ts';
import { planningClient } from '../support/planning-client.ts';

const NOW = Date.UTC(2026, 10, 22, 13, 5);
const query = planningClient([jobsPerCustomer, storeMetrics, energyPerMeter, favouritesPerRestaurant], NOW);
const store = { storeId: 's-1' };

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isDynotallyError(e) ? e.code : `raw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('s16 query bad input', () => {
  it('null options are no options, not a TypeError', async () => {
    const none = null as never;
    expect(outcome(() => query.explain.total(storeMetrics, store, { lastDays: 3 }, none))).toBe('ok');
    expect(outcome(() => query.explain.totalMany(storeMetrics, [store], { lastDays: 3 }, none))).toBe('ok');
    expect(
      outcome(() =>
        query.explain.series(storeMetrics, store, { granularity: 'day', window: { lastDays: 3 } }, none),
      ),
    ).toBe('ok');
    expect(outcome(() => query.explain.latest(energyPerMeter, { deviceId: 'm-1' }, none))).toBe('ok');
    expect(query.explain.total(storeMetrics, store, { lastDays: 3 }, none).requests).toEqual(
      query.explain.total(storeMetrics, store, { lastDays: 3 }).requests,
    );
  });

  it('a sparse list of groups is GROUP_INVALID, not a TypeError', () => {
    // biome-ignore lint/suspicious/noSparseArray: the bad input under test
    const groups = [, store] as never;
    expect(outcome(() => query.explain.totalMany(storeMetrics, groups, { lastDays: 3 }))).toBe(
      'GROUP_INVALID',
    );
  });

  it('an ISO instant on a day its month does not have is QUERY_INVALID, not the next month', () => {
    for (const from of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-04-31T00:00:00+01:00']) {
      const e = errorOf(() =>
        query.explain.total(storeMetrics, store, { from, to: '2026-05-01T00:00:00+01:00' }),
      );
      expect(e.code, from).toBe('QUERY_INVALID');
      expect(e.message, from).toMatch(/not a day of/);
      expect(
        outcome(() => query.explain.series(storeMetrics, store, { granularity: 'day', from, to: NOW })),
        from,
      ).toBe('QUERY_INVALID');
    }
    // real last days still parse: 29 February of a leap year, 31 December, 30 April
    for (const from of ['2028-02-29T00:00:00Z', '2025-12-31T00:00:00Z', '2026-04-30T00:00:00+01:00']) {
      expect(
        outcome(() =>
          query.explain.series(storeMetrics, store, { granularity: 'day', from, to: '2029-01-01T00:00:00Z' }),
        ),
        from,
      ).toBe('ok');
    }
  });

  it('a window with a key outside its shape is QUERY_INVALID naming the key', () => {
    const cases: Array<[unknown, string]> = [
      [{ calendar: 'month', offest: -1 }, 'offest'],
      [{ calendar: 'day', last: '24h' }, 'calendar'],
      [{ lastDays: 30, lastMonths: 1 }, 'lastMonths'],
      [{ last: '24h', round: 'outward' }, 'round'],
      [{ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', at: NOW }, 'at'],
      [{ lastMonths: 3, offset: -1 }, 'offset'],
    ];
    for (const [w, key] of cases) {
      const e = errorOf(() => query.explain.total(storeMetrics, store, w as never));
      expect(e.code, JSON.stringify(w)).toBe('QUERY_INVALID');
      expect(e.message, JSON.stringify(w)).toContain(`'${key}'`);
    }
    // what each shape takes is still taken, and keys left undefined are ignored
    for (const w of [
      { calendar: 'month', offset: -1, at: NOW },
      { lastDays: 30, at: NOW, offset: undefined },
      { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', round: 'exact' },
      { last: '7d', at: undefined },
    ]) {
      expect(
        outcome(() => query.explain.total(storeMetrics, store, w as never)),
        JSON.stringify(w),
      ).toBe('ok');
    }
  });

  it("a window past the calendar's years is QUERY_INVALID, not the write side's VALUE_INVALID", () => {
    const E = query.explain;
    const job = { customerId: 'c-1' };
    const calls: Array<[string, () => unknown]> = [
      ['lastYears 2100', () => E.total(storeMetrics, store, { lastYears: 2100 })],
      ['calendar year +8000', () => E.total(storeMetrics, store, { calendar: 'year', offset: 8000 })],
      ['last 3000000w', () => E.total(storeMetrics, store, { last: '3000000w' })],
      ['rolling at year 1', () => E.total(jobsPerCustomer, job, { last: '24h', at: '0001-01-01T12:00:00Z' })],
      [
        'outward to 9998-12-31',
        () =>
          E.total(storeMetrics, store, {
            from: '9998-12-01T00:00:00Z',
            to: '9998-12-31T12:00:00Z',
            round: 'outward',
          }),
      ],
      [
        'series of 9998',
        () =>
          E.series(storeMetrics, store, {
            granularity: 'year',
            from: '9998-06-01T00:00:00Z',
            to: '9998-12-01T00:00:00Z',
          }),
      ],
      [
        'top month +100000',
        () => E.top(favouritesPerRestaurant, { bucket: { calendar: 'month', offset: 100_000 } }),
      ],
    ];
    for (const [what, call] of calls) {
      const e = errorOf(call);
      expect(e.code, what).toBe('QUERY_INVALID');
      expect(e.message, what).toMatch(/0001.*9998/);
      expect(e.message, what).not.toMatch(/epoch seconds/);
    }
  });

  // Each call planned without the misspelt key: top() ranked 'ALL' with its default limit (the index Query asked
  // for 11), the series read the last 3 days and ignored from/to, total read every measure eventually
  // consistent. Now QUERY_INVALID naming the key (validate.ts onlyKeysOf), as windows get.
  it('a key of a top() spec, series spec or options that nothing reads is QUERY_INVALID', () => {
    const typo = (x: object) => x as never;
    expect(
      outcome(() => query.explain.top(favouritesPerRestaurant, typo({ buckett: 'month', limt: 3 }))),
    ).toBe('QUERY_INVALID');
    const spec = typo({ granularity: 'day', window: { lastDays: 3 }, from: '2020-01-01T00:00:00Z', to: NOW });
    expect(outcome(() => query.explain.series(storeMetrics, store, spec))).toBe('QUERY_INVALID');
    const options = typo({ measure: ['orders'], consistant: true });
    expect(outcome(() => query.explain.total(storeMetrics, store, { lastDays: 3 }, options))).toBe(
      'QUERY_INVALID',
    );
  });
});

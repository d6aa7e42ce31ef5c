import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { defineRollup } from './define-rollup.ts';
import type { Granularity } from './granularity-name.ts';
import { count, last, max, sum } from './measures.ts';

const base = { name: 'r', groupBy: 'g', granularities: ['day'], measures: { n: count() } } as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('defineRollup', () => {
  it('accepts the five reference systems', () => {
    expect(() =>
      defineRollup({
        name: 'jobs',
        match: { type: 'job' },
        groupBy: 'customerId',
        granularities: ['minute', 'hour'],
        measures: { jobs: count() },
      }),
    ).not.toThrow();
    const s4 = defineRollup({
      name: 'store',
      groupBy: 'storeId',
      time: { attribute: 'ts', format: 'epoch-millis' },
      timeZone: 'Europe/London',
      granularities: ['day', 'month', 'year', 'all'],
      measures: { orders: count({ where: { type: 'order' } }), views: count({ where: { type: 'view' } }) },
    });
    expect(s4.measureNames).toEqual(['orders', 'views']);
    expect(s4.compiled.rows.map((r) => r.row.id)).toEqual(['month', 'all']);
  });

  it('packs finer buckets into the fewest rows', () => {
    const rows = (g: Granularity[], lb?: Granularity[]) =>
      defineRollup({
        ...base,
        granularities: g,
        measures: { n: count() },
        ...(lb ? { leaderboard: { measure: 'n' as const, granularities: lb } } : {}),
      }).compiled.rows.map(
        (r) =>
          `${r.row.id}:${r.placements.map((p) => (p.own ? `*${p.granularity.id}` : p.granularity.id)).join(',')}`,
      );
    expect(rows(['minute', 'hour'])).toEqual(['hour:minute,*hour']);
    expect(rows(['day', 'month', 'year', 'all'])).toEqual(['month:day,*month', 'all:year,*all']);
    expect(rows(['hour', 'day', 'month', 'year'])).toEqual(['day:hour,*day', 'year:month,*year']);
    expect(rows(['month', 'all'], ['month', 'all'])).toEqual(['month:*month', 'all:*all']);
    expect(rows(['second', 'minute', '15m', 'hour'])).toEqual(['minute:second,*minute', 'hour:15m,*hour']);
    expect(rows(['week'])).toEqual(['week:*week']);
  });

  it.each([
    ['unknown zone', { ...base, timeZone: 'Mars/Olympus' }, 'UNKNOWN_TIME_ZONE'],
    ['bad name', { ...base, name: 'has space' }, 'DEFINITION_INVALID'],
    ['empty groupBy', { ...base, groupBy: [] }, 'DEFINITION_INVALID'],
    ['duplicate groupBy', { ...base, groupBy: ['a', 'a'] }, 'DEFINITION_INVALID'],
    ['no granularities', { ...base, granularities: [] }, 'GRANULARITY_INVALID'],
    ['unknown granularity', { ...base, granularities: ['fortnight'] }, 'GRANULARITY_INVALID'],
    ['7m does not divide an hour', { ...base, granularities: ['7m'] }, 'GRANULARITY_INVALID'],
    ['duplicate granularity', { ...base, granularities: ['day', 'day'] }, 'GRANULARITY_INVALID'],
    ['no measures', { ...base, measures: {} }, 'MEASURE_INVALID'],
    ['sum of nothing', { ...base, measures: { s: sum('') } }, 'MEASURE_INVALID'],
    ['reserved storage name', { ...base, measures: { ttl: count() } }, 'MEASURE_INVALID'],
    ['underscore in measure', { ...base, measures: { a_b: count() } }, 'MEASURE_INVALID'],
    // hand-written measure objects from plain JavaScript: an unknown kind, or no options (was a TypeError)
    ['unknown measure kind', { ...base, measures: { n: { kind: 'nope' } } }, 'MEASURE_INVALID'],
    ['measure without options', { ...base, measures: { n: { kind: 'count' } } }, 'MEASURE_INVALID'],
    [
      'measure with null options',
      { ...base, measures: { n: { kind: 'sum', attribute: 'a', options: null } } },
      'MEASURE_INVALID',
    ],
    [
      'duplicate storage',
      { ...base, measures: { a: count(), b: count({ storeAs: 'a' }) } },
      'MEASURE_INVALID',
    ],
    [
      'measure at a granularity the rollup lacks',
      { ...base, measures: { a: count({ granularities: ['hour'] }) } },
      'GRANULARITY_INVALID',
    ],
    [
      'leaderboard on last',
      { ...base, measures: { a: last('x') }, leaderboard: { measure: 'a', granularities: ['day'] } },
      'MEASURE_INVALID',
    ],
    [
      'leaderboard too fine',
      { ...base, granularities: ['15m'], leaderboard: { measure: 'n', granularities: ['15m'] } },
      'GRANULARITY_INVALID',
    ],
    ['bad retention', { ...base, retention: { day: 'a week' } }, 'DURATION_INVALID'],
    ['retention of an unkept granularity', { ...base, retention: { hour: '1d' } }, 'GRANULARITY_INVALID'],
    ['bad ttl policy', { ...base, ttlDeletes: 'keep' }, 'DEFINITION_INVALID'],
    ['bad time format', { ...base, time: { attribute: 'ts', format: 'unix' } }, 'DEFINITION_INVALID'],
    ['empty where', { ...base, measures: { a: max('x', { where: {} }) } }, 'DEFINITION_INVALID'],
  ])('rejects %s at definition time', (_label, config, code) => {
    expect(codeOf(() => defineRollup(config as never))).toBe(code);
  });

  describe('a groupBy function with declared names, { names, fn }', () => {
    const fn = () => ({ a: 'x' });
    const SHAPE = "{ names: ['storeId'], fn: (item) => ({ storeId: ... }) }";
    it.each<[string, unknown, string]>([
      [
        'no names',
        { fn },
        `'names' must list the group's attribute names, each a non-empty string, e.g. ${SHAPE}`,
      ],
      ['empty names', { names: [], fn }, "'names' must list"],
      ['names as a string', { names: 'a', fn }, "'names' must list"],
      ['an empty name', { names: ['a', ''], fn }, "'names' must list"],
      ['a name that is no string', { names: ['a', 1], fn }, "'names' must list"],
      ['a name listed twice', { names: ['a', 'b', 'a'], fn }, "'names' lists an attribute twice: a, b, a"],
      ['no fn', { names: ['a'] }, `'fn' must be the function returning an item's group, e.g. ${SHAPE}`],
      ['fn not a function', { names: ['a'], fn: { a: 'x' } }, "'fn' must be the function"],
      [
        'an unknown key',
        { names: ['a'], fn, function: fn },
        "'function' is not an option here; it takes names, fn",
      ],
      ['a misspelt key', { name: ['a'], fn }, "'name' is not an option here (did you mean names?)"],
    ])('refuses %s with DEFINITION_INVALID showing the shape', (_label, groupBy, message) => {
      let error: unknown;
      try {
        defineRollup({ ...base, groupBy } as never);
      } catch (e) {
        error = e;
      }
      expect(isDynotallyError(error, 'DEFINITION_INVALID')).toBe(true);
      expect((error as Error).message).toContain(`rollup 'r', groupBy: ${message}`);
    });

    it('keeps the names sorted (the key order) and the function', () => {
      const r = defineRollup({
        ...base,
        groupBy: { names: ['storeId', 'region'], fn: () => ({ storeId: 's', region: 'r' }) },
      });
      expect(r.compiled.groupNames).toEqual(['region', 'storeId']);
      expect(r.compiled.groupAttributes).toBeUndefined();
      expect(typeof r.compiled.groupFn).toBe('function');
      expect(r.compiled.fingerprintFunctions).toBe('source');
      expect(defineRollup({ ...base, groupBy: (_i) => ({ a: 'x' }) }).compiled.groupNames).toBeUndefined();
      expect(defineRollup({ ...base, groupBy: ['b', 'a'] }).compiled.groupNames).toEqual(['b', 'a']);
    });
  });

  it("a measure's granularities given as a string are refused as such, not read letter by letter", () => {
    expect(() =>
      defineRollup({ ...base, measures: { n: count({ granularities: 'day' as never }) } }),
    ).toThrow(/measure 'n': 'granularities' must be a list of the rollup's granularities, e\.g\. \['day'\]/);
  });

  it('messages say what to write instead', () => {
    try {
      defineRollup({ ...base, measures: { s: sum('') } });
    } catch (e) {
      expect(String((e as Error).message)).toMatch(/sum\('amount'\)/);
    }
  });
});

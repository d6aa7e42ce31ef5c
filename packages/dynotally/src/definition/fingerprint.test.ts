import { describe, expect, it } from 'vitest';
import { defineRollup } from './define-rollup.ts';
import type { Granularity } from './granularity-name.ts';
import { count, sum } from './measures.ts';

const base = {
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' as const },
  granularities: ['day', 'month'] as Granularity[],
  measures: { orders: count({ where: { type: 'order' } }), revenue: sum('amount') },
};
const fp = (over: Record<string, unknown>) =>
  defineRollup({ ...base, ...over } as typeof base).compiled.fingerprint;

describe('rollupFingerprint', () => {
  it('is stable and ignores what does not change storage (list order, retention, name)', () => {
    const a = fp({});
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(fp({})).toBe(a);
    expect(fp({ granularities: ['month', 'day'] })).toBe(a);
    expect(fp({ measures: { revenue: sum('amount'), orders: count({ where: { type: 'order' } }) } })).toBe(a);
    expect(fp({ retention: { day: '30d' } })).toBe(a);
    expect(fp({ name: 'other' })).toBe(a);
  });

  it('changes with group-by, measures, filters, granularities, zone, time and TTL policy', () => {
    const a = fp({});
    const changed = [
      fp({ groupBy: 'shopId' }),
      fp({ measures: { ...base.measures, views: count({ where: { type: 'view' } }) } }),
      fp({ measures: { orders: count({ where: { type: 'sale' } }), revenue: sum('amount') } }),
      fp({
        measures: { orders: count({ where: { type: 'order' } }), revenue: sum('amount', { storeAs: 'r' }) },
      }),
      fp({ granularities: ['day', 'month', 'year'] }),
      fp({ timeZone: 'Europe/London' }),
      fp({ time: { attribute: 'ts', format: 'epoch-seconds' } }),
      fp({ time: { attribute: 'createdAt', format: 'epoch-millis' } }),
      fp({ ttlDeletes: 'ignore' }),
      fp({ match: { kind: 'shop' } }),
      fp({ groupBy: (item: { storeId?: unknown }) => ({ storeId: String(item.storeId) }) }),
    ];
    for (const f of changed) expect(f).not.toBe(a);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('keeps the fingerprints of filter objects as they were', () => {
    // pinned before filter objects spelt like a function description were told apart: every other filter object
    // must keep its fingerprint, or each deployed rollup with one would become a new version
    expect(fp({})).toBe(PINNED_FILTER_OBJECT);
    expect(fp({ match: { kind: ['shop', 'store'], open: true } })).toBe(PINNED_MATCH_OBJECT);
  });

  it('tells a filter object { fn } or { fnVersion } from a function (review s18)', () => {
    const isOrder = (item: { type?: unknown }) => item.type === 'order';
    expect(fp({ match: { fn: isOrder.toString() } })).not.toBe(fp({ match: isOrder }));
    expect(
      fp({ match: { fnVersion: 'v1' }, measures: { n: count({ where: isOrder }) }, functionsVersion: 'v1' }),
    ).not.toBe(fp({ match: isOrder, measures: { n: count({ where: isOrder }) }, functionsVersion: 'v1' }));
  });

  describe('a groupBy function with declared names (groupBy: { names, fn })', () => {
    const byStore = (item: { storeId?: unknown }) => ({ storeId: String(item.storeId) });
    const byShop = (i: { storeId?: unknown }) => ({ storeId: `${i.storeId}` });
    const declared = (names: readonly string[], fn: unknown = byStore, functionsVersion?: string) =>
      fp({ groupBy: { names, fn }, functionsVersion });

    it('counts the names: the same function with other names is another version', () => {
      // with the same function, each refuses the groups the other counts; a function returning both shapes would
      // fold { userId: 's-1' } into the rows { storeId: 's-1' } left, so the names must tell the versions apart
      expect(declared(['storeId'])).not.toBe(declared(['userId']));
      expect(declared(['storeId'])).not.toBe(declared(['storeId', 'region']));
      expect(declared(['storeId'], byStore, 'v1')).not.toBe(declared(['userId'], byStore, 'v1'));
    });

    it('is another version than the plain function (declaring the names of a deployed one is a backfill)', () => {
      expect(declared(['storeId'])).not.toBe(fp({ groupBy: byStore }));
      expect(declared(['storeId'], byStore, 'v1')).not.toBe(fp({ groupBy: byStore, functionsVersion: 'v1' }));
    });

    it("ignores the names' order and counts the function as a plain one's (source text or functionsVersion)", () => {
      expect(declared(['storeId', 'region'])).toBe(declared(['region', 'storeId']));
      expect(declared(['storeId'])).not.toBe(declared(['storeId'], byShop));
      expect(declared(['storeId'], byStore, 'v1')).toBe(declared(['storeId'], byShop, 'v1'));
      expect(declared(['storeId'], byStore, 'v1')).not.toBe(declared(['storeId'], byStore, 'v2'));
    });

    it('takes functionsVersion (its fn is a function to name)', () => {
      expect(
        defineRollup({
          ...base,
          groupBy: { names: ['storeId'], fn: byStore },
          functionsVersion: 'v1',
        } as never).compiled.fingerprintFunctions,
      ).toBe('named');
    });
  });

  describe('functionsVersion', () => {
    const isOrder = (item: { type?: unknown }) => item.type === 'order';
    // the same filter as a minifier prints it
    const minified = (e: { type?: unknown }) => e.type === 'order';
    const named = (match: unknown, functionsVersion?: string) => fp({ match, functionsVersion });

    it('counts the name instead of the source text: the same code built otherwise is the same version', () => {
      expect(named(isOrder)).not.toBe(named(minified));
      expect(named(isOrder, 'v1')).toBe(named(minified, 'v1'));
      expect(named(isOrder, 'v1')).not.toBe(named(isOrder, 'v2'));
      // a named definition is another version than the same one counted by source text
      expect(named(isOrder, 'v1')).not.toBe(named(isOrder));
    });

    it('names every function of the definition (groupBy and a measure filter too)', () => {
      const byStore = (item: { storeId?: unknown }) => ({ storeId: String(item.storeId) });
      const byShop = (i: { storeId?: unknown }) => ({ storeId: `${i.storeId}` });
      const measures = (where: unknown) => ({
        orders: count({ where: where as never }),
        revenue: sum('amount'),
      });
      expect(fp({ groupBy: byStore, functionsVersion: 'a' })).toBe(
        fp({ groupBy: byShop, functionsVersion: 'a' }),
      );
      expect(fp({ measures: measures(isOrder), functionsVersion: 'a' })).toBe(
        fp({ measures: measures(minified), functionsVersion: 'a' }),
      );
      // the objects of a definition still count as they are
      expect(fp({ match: isOrder, groupBy: 'shopId', functionsVersion: 'a' })).not.toBe(
        fp({ match: isOrder, functionsVersion: 'a' }),
      );
    });

    it('leaves the fingerprint of a definition without it as it was', () => {
      // a fingerprint pinned before functionsVersion existed: changing it would make every deployed rollup with
      // a function a new version
      expect(named(isOrder)).toBe(PINNED_SOURCE_TEXT);
    });

    it('is refused on a rollup without functions, and when it is not a name', () => {
      for (const over of [
        { functionsVersion: 'v1' },
        { match: isOrder, functionsVersion: '' },
        { match: isOrder, functionsVersion: 'x'.repeat(129) },
        { match: isOrder, functionsVersion: 2 },
      ])
        expect(() => fp(over)).toThrow(expect.objectContaining({ code: 'DEFINITION_INVALID' }));
      expect(
        defineRollup({ ...base, match: isOrder, functionsVersion: 'x'.repeat(128) }).compiled,
      ).toMatchObject({
        fingerprintFunctions: 'named',
      });
      expect(defineRollup({ ...base, match: isOrder }).compiled.fingerprintFunctions).toBe('source');
      expect(defineRollup(base).compiled.fingerprintFunctions).toBe('none');
    });
  });
});

const PINNED_SOURCE_TEXT = 'f276aa0856927605';
const PINNED_FILTER_OBJECT = '64765c341c14a24c';
const PINNED_MATCH_OBJECT = 'e6c5b249d9a84007';

// The examples of docs/rollups.md, compiled by tsc and run: each option as documented, and each mistake with
// the error code the docs say it fails with at definition time. Keep the two in step.
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { defineRollup } from './define-rollup.ts';
import { count, last, max, min, sum } from './measures.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
}

/** The code a definition fails with; typed `unknown` because most of these do not compile either (see define-rollup.type.test.ts). */
const failsWith = (config: unknown) => codeOf(() => defineRollup(config as never));

const rowsOf = (r: { compiled: { rows: readonly { row: { id: string } }[] } }) =>
  r.compiled.rows.map((x) => x.row.id);

describe('docs/rollups.md examples', () => {
  it('the complete example', () => {
    const orders = defineRollup({
      name: 'orders',
      match: { entity: 'order' },
      groupBy: 'storeId',
      time: { attribute: 'createdAt', format: 'iso8601' },
      timeZone: 'Europe/Paris',
      granularities: ['hour', 'day', 'month', 'all'],
      measures: {
        orders: count(),
        revenue: sum('total'),
        biggest: max('total', { granularities: ['day', 'month'] }),
        status: last('status', { granularities: ['all'] }),
      },
      retention: { hour: '90d' },
      ttlDeletes: 'ignore',
      leaderboard: { measure: 'revenue', granularities: ['month', 'all'] },
    });
    expect(orders.measureNames).toEqual(['orders', 'revenue', 'biggest', 'status']);
    expect(rowsOf(orders)).toEqual(['day', 'month', 'all']);
  });

  it('name', () => {
    expect(
      defineRollup({ name: 'jobs', groupBy: 'id', granularities: ['day'], measures: { n: count() } }).name,
    ).toBe('jobs');
    expect(
      codeOf(() =>
        defineRollup({ name: 'my rollup', groupBy: 'id', granularities: ['day'], measures: { n: count() } }),
      ),
    ).toBe('DEFINITION_INVALID');
  });

  it('match', () => {
    const a = defineRollup({
      name: 'a',
      match: { type: 'order' },
      groupBy: 'storeId',
      granularities: ['day'],
      measures: { n: count() },
    });
    const b = defineRollup({
      name: 'b',
      match: { type: ['order', 'refund'], deleted: null },
      groupBy: 'storeId',
      granularities: ['day'],
      measures: { n: count() },
    });
    const c = defineRollup({
      name: 'c',
      match: (item) => typeof item.sk === 'string' && item.sk.startsWith('ORDER#'),
      groupBy: 'storeId',
      granularities: ['day'],
      measures: { n: count() },
    });
    expect([a, b, c].map((r) => r.compiled.match === undefined)).toEqual([false, false, false]);
    expect(
      codeOf(() =>
        defineRollup({
          name: 'd',
          match: {},
          groupBy: 'id',
          granularities: ['day'],
          measures: { n: count() },
        }),
      ),
    ).toBe('DEFINITION_INVALID');
  });

  it('groupBy', () => {
    const one = defineRollup({
      name: 'one',
      groupBy: 'customerId',
      granularities: ['day'],
      measures: { n: count() },
    });
    const two = defineRollup({
      name: 'two',
      groupBy: ['storeId', 'productId'],
      granularities: ['day'],
      measures: { n: count() },
    });
    const fn = defineRollup({
      name: 'fn',
      groupBy: {
        names: ['tenant'],
        fn: (item) => (typeof item.pk === 'string' ? { tenant: item.pk.split('#')[0] ?? '' } : undefined),
      },
      granularities: ['day'],
      measures: { n: count() },
    });
    const plain = defineRollup({
      name: 'plain',
      groupBy: (item) => (typeof item.pk === 'string' ? { tenant: item.pk.split('#')[0] ?? '' } : undefined),
      granularities: ['day'],
      measures: { n: count() },
    });
    expect(one.compiled.groupAttributes).toEqual(['customerId']);
    expect(two.compiled.groupAttributes).toEqual(['storeId', 'productId']);
    expect(fn.compiled.groupFn).toBeTypeOf('function');
    expect(fn.compiled.groupNames).toEqual(['tenant']);
    expect(plain.compiled.groupNames).toBeUndefined();
    expect(fn.compiled.fingerprint).not.toBe(plain.compiled.fingerprint);
    expect(
      codeOf(() =>
        defineRollup({
          name: 'g',
          groupBy: { names: [], fn: () => ({}) },
          granularities: ['day'],
          measures: { n: count() },
        }),
      ),
    ).toBe('DEFINITION_INVALID');
    expect(
      codeOf(() =>
        defineRollup({ name: 'e', groupBy: [], granularities: ['day'], measures: { n: count() } }),
      ),
    ).toBe('DEFINITION_INVALID');
    expect(
      codeOf(() =>
        defineRollup({ name: 'f', groupBy: ['a', 'a'], granularities: ['day'], measures: { n: count() } }),
      ),
    ).toBe('DEFINITION_INVALID');
  });

  it('time', () => {
    const base = { groupBy: 'id', granularities: ['day'], measures: { n: count() } } as const;
    const s = defineRollup({ ...base, name: 's', time: { attribute: 'ts', format: 'epoch-seconds' } });
    const ms = defineRollup({ ...base, name: 'ms', time: { attribute: 'ts', format: 'epoch-millis' } });
    const iso = defineRollup({ ...base, name: 'iso', time: { attribute: 'createdAt', format: 'iso8601' } });
    const auto = defineRollup({ ...base, name: 'auto', time: 'createdAt' });
    const none = defineRollup({ ...base, name: 'none' });
    expect([s, ms, iso, auto].map((r) => r.compiled.time?.format)).toEqual([
      'epoch-seconds',
      'epoch-millis',
      'iso8601',
      'auto',
    ]);
    expect(none.compiled.time).toBeUndefined();
    expect(failsWith({ ...base, name: 'bad', time: { attribute: 'ts', format: 'iso' } })).toBe(
      'DEFINITION_INVALID',
    );
  });

  it('timeZone', () => {
    const r = defineRollup({
      name: 'kolkata',
      groupBy: 'id',
      timeZone: 'Asia/Kolkata',
      granularities: ['day'],
      measures: { n: count() },
    });
    expect(r.compiled.timeZone).toBe('Asia/Kolkata');
    expect(
      codeOf(() =>
        defineRollup({
          name: 'tz',
          groupBy: 'id',
          timeZone: 'Mars/Olympus',
          granularities: ['day'],
          measures: { n: count() },
        }),
      ),
    ).toBe('UNKNOWN_TIME_ZONE');
  });

  it('granularities', () => {
    const all = defineRollup({
      name: 'everything',
      groupBy: 'id',
      granularities: ['second', 'minute', '15m', 'hour', 'day', 'week', 'month', 'year', 'all'],
      measures: { n: count() },
    });
    expect(rowsOf(all)).toEqual(['minute', 'hour', 'week', 'month', 'all']);
    const base = { groupBy: 'id', measures: { n: count() } } as const;
    expect(failsWith({ ...base, name: 'g1', granularities: ['hours'] })).toBe('GRANULARITY_INVALID');
    expect(failsWith({ ...base, name: 'g2', granularities: ['7m'] })).toBe('GRANULARITY_INVALID');
    expect(codeOf(() => defineRollup({ ...base, name: 'g3', granularities: [] }))).toBe(
      'GRANULARITY_INVALID',
    );
    expect(codeOf(() => defineRollup({ ...base, name: 'g4', granularities: ['hour', '60m'] }))).toBe(
      'GRANULARITY_INVALID',
    );
  });

  it('measures', () => {
    const m = defineRollup({
      name: 'shop',
      groupBy: 'storeId',
      granularities: ['day', 'month'],
      measures: {
        orders: count({ where: { type: 'order' } }),
        revenue: sum('amount', { where: { type: 'order' } }),
        refunds: sum('amount', { where: (item) => item.type === 'refund' && Number(item.amount) > 0 }),
        cheapest: min('price'),
        dearest: max('price', { granularities: ['month'] }),
        status: last('status', { storeAs: 'st' }),
      },
    });
    expect(m.compiled.measures.map((x) => `${x.name}:${x.kind}:${x.storeAs}`)).toEqual([
      'orders:count:orders',
      'revenue:sum:revenue',
      'refunds:sum:refunds',
      'cheapest:min:cheapest',
      'dearest:max:dearest',
      'status:last:st',
    ]);
    const base = { name: 'm', groupBy: 'id', granularities: ['day'] } as const;
    expect(codeOf(() => defineRollup({ ...base, measures: {} }))).toBe('MEASURE_INVALID');
    expect(codeOf(() => defineRollup({ ...base, measures: { 'order-count': count() } }))).toBe(
      'MEASURE_INVALID',
    );
    expect(codeOf(() => defineRollup({ ...base, measures: { n: count({ storeAs: 'ttl' }) } }))).toBe(
      'MEASURE_INVALID',
    );
    expect(
      codeOf(() => defineRollup({ ...base, measures: { a: count(), b: count({ storeAs: 'a' }) } })),
    ).toBe('MEASURE_INVALID');
    expect(failsWith({ ...base, measures: { s: { kind: 'sum', attribute: undefined, options: {} } } })).toBe(
      'MEASURE_INVALID',
    );
    expect(
      codeOf(() => defineRollup({ ...base, measures: { n: count({ granularities: ['month'] }) } })),
    ).toBe('GRANULARITY_INVALID');
    expect(codeOf(() => defineRollup({ ...base, measures: { n: count({ where: {} }) } }))).toBe(
      'DEFINITION_INVALID',
    );
  });

  it('retention', () => {
    const r = defineRollup({
      name: 'ret',
      groupBy: 'id',
      granularities: ['minute', 'hour', 'day'],
      measures: { n: count() },
      retention: { minute: '3d', hour: '30d' },
    });
    expect(r.compiled.retentionMs.get('minute')).toBe(3 * 86_400_000);
    expect(r.compiled.retentionMs.get('day')).toBe(Number.POSITIVE_INFINITY);
    // minutes are packed into hour rows: the hour row lives as long as its longest-kept attribute
    expect(r.compiled.rows.map((x) => [x.row.id, x.retentionMs / 86_400_000])).toEqual([
      ['hour', 30],
      ['month', Number.POSITIVE_INFINITY],
    ]);
    const base = { name: 'ret2', groupBy: 'id', granularities: ['day'], measures: { n: count() } } as const;
    expect(codeOf(() => defineRollup({ ...base, retention: { day: '1 month' } }))).toBe('DURATION_INVALID');
    expect(codeOf(() => defineRollup({ ...base, retention: { hour: '7d' } }))).toBe('GRANULARITY_INVALID');
  });

  it('functionsVersion', () => {
    const define = (match: (item: Record<string, unknown>) => boolean) =>
      defineRollup({
        name: 'orders',
        match,
        groupBy: 'storeId',
        granularities: ['day', 'all'],
        measures: { orders: count() },
        functionsVersion: 'orders-2026-11',
      });
    const source = define((item) => typeof item.sk === 'string' && item.sk.startsWith('ORDER#'));
    const minified = define((e) => typeof e.sk === 'string' && e.sk.startsWith('ORDER#'));
    expect(minified.compiled.fingerprint).toBe(source.compiled.fingerprint);
    expect(
      failsWith({
        name: 'orders',
        match: { type: 'order' },
        groupBy: 'storeId',
        granularities: ['day'],
        measures: { orders: count() },
        functionsVersion: 'v1',
      }),
    ).toBe('DEFINITION_INVALID');
  });

  it('ttlDeletes', () => {
    const r = defineRollup({
      name: 'sessions',
      groupBy: 'userId',
      granularities: ['day'],
      measures: { n: count() },
      ttlDeletes: 'ignore',
    });
    expect(r.compiled.ttlDeletes).toBe('ignore');
    expect(
      failsWith({
        name: 't',
        groupBy: 'id',
        granularities: ['day'],
        measures: { n: count() },
        ttlDeletes: 'keep',
      }),
    ).toBe('DEFINITION_INVALID');
  });

  it('leaderboard', () => {
    const r = defineRollup({
      name: 'favourites',
      groupBy: 'restaurantId',
      granularities: ['day', 'month', 'all'],
      measures: { favourites: count() },
      leaderboard: { measure: 'favourites', granularities: ['month', 'all'], shards: 4 },
    });
    expect(r.compiled.leaderboard?.shards).toBe(4);
    expect(rowsOf(r)).toEqual(['month', 'all']);
    const base = {
      name: 'lb',
      groupBy: 'id',
      granularities: ['second', 'day'],
      measures: { n: count(), top: max('v') },
    } as const;
    expect(failsWith({ ...base, leaderboard: { measure: 'top', granularities: ['day'] } })).toBe(
      'MEASURE_INVALID',
    );
    expect(
      codeOf(() => defineRollup({ ...base, leaderboard: { measure: 'n', granularities: ['second'] } })),
    ).toBe('GRANULARITY_INVALID');
    expect(
      codeOf(() => defineRollup({ ...base, leaderboard: { measure: 'n', granularities: ['month'] } })),
    ).toBe('GRANULARITY_INVALID');
    expect(
      codeOf(() =>
        defineRollup({ ...base, leaderboard: { measure: 'n', granularities: ['day'], shards: 0 } }),
      ),
    ).toBe('DEFINITION_INVALID');
  });

  it('layout: what each granularity set writes', () => {
    const layout = (g: Parameters<typeof defineRollup>[0]['granularities']) =>
      rowsOf(defineRollup({ name: 'l', groupBy: 'id', granularities: g, measures: { n: count() } }));
    expect(layout(['minute', 'hour'])).toEqual(['hour']);
    expect(layout(['minute', 'hour', 'day'])).toEqual(['hour', 'month']);
    expect(layout(['day', 'month', 'year', 'all'])).toEqual(['month', 'all']);
    expect(layout(['hour', 'day', 'month', 'year', 'all'])).toEqual(['day', 'year', 'all']);
    expect(layout(['15m', 'day'])).toEqual(['hour', 'month']);
    expect(layout(['week'])).toEqual(['week']);
  });
});

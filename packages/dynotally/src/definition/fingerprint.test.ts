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
});

import { describe, expect, it } from 'vitest';
import { storeMetrics } from '../../../dynotally-cli/src/scenarios/rollups.ts';
import { isDynotallyError } from '../errors/index.ts';
import { defineRollup } from './define-rollup.ts';
import { count, last } from './measures.ts';

const many = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${String(i).padStart(31, '0')}`, count()]));

describe('the 400 KB row bound, derived from the layout at defineRollup', () => {
  it('refuses a layout whose rows could outgrow 400 KB', () => {
    try {
      // the all row packs years (1,000 assumed): 12 measures of them pass 400 KB, although one record adds only
      // 24 counters (what one write carries is checked separately)
      defineRollup({ name: 'wide', groupBy: 'g', granularities: ['year', 'all'], measures: many(12) });
      expect.unreachable();
    } catch (e) {
      expect(isDynotallyError(e, 'DEFINITION_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/400 KB/);
    }
    expect(() =>
      defineRollup({ name: 'ok', groupBy: 'g', granularities: ['second', 'minute'], measures: many(20) }),
    ).not.toThrow();
    expect(() =>
      defineRollup({ name: 'ok', groupBy: 'g', granularities: ['year', 'all'], measures: many(5) }),
    ).not.toThrow();
  });

  it('gives last() strings their share of the row', () => {
    const r = defineRollup({
      name: 'notes',
      groupBy: 'g',
      granularities: ['hour', 'day'],
      measures: { n: count(), note: last('note', { granularities: ['hour'] }) },
    });
    // 25 hour cells (a DST day) share what the rest of the day row leaves of 400 KB
    expect(r.compiled.lastValueMaxBytes).toBeGreaterThan(10_000);
    expect(r.compiled.lastValueMaxBytes * 25).toBeLessThan(400 * 1024);
    expect(storeMetrics.compiled.lastValueMaxBytes).toBe(Number.POSITIVE_INFINITY);
  });
});

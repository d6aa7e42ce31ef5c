// Review s29q (query planner): a window that weeks and months cover together was refused as not coverable.
// Finding: a rollup kept at ['week', 'month'] (or with its days expired: 'day' kept 35 days, weeks and months
// forever) asked for [Mon 2026-01-05, 2026-10-01) was WINDOW_NOT_SERVABLE ("no combination of the buckets … covers
// [...] exactly (weeks and months do not nest)"), although 21 weeks up to Mon 2026-06-01 and the months June to
// September cover it exactly; each half alone was answered. The same with N-minute granularities whose sizes do not
// divide each other (['10m', '15m']: [00:10, 00:45) is 10m, 10m, 15m).
// Mechanism: coverWindow's `cover` takes, per granularity (coarse first), the longest run of whole buckets inside
// the window and covers what is left on either side; it never tries a shorter run. Months Feb–Sep leave
// [Jan 5, Feb 1), which weeks cannot end on a Sunday; weeks Jan 5 – Sep 28 leave [Sep 28, Oct 1). Only a month run
// that starts on a Monday (June) works. With nesting granularities the longest run never blocks a cover, which is
// why only weeks with months or years (and such N-minute pairs) were affected.
// Fix: when the run-by-run cover finds none and the granularities do not nest, coverWindow searches bucket by
// bucket from `from` (coarse first, backing out of dead ends, each dead instant remembered), bounded by what is left
// of the MAX_COVER_CELLS budget. Rollups whose granularities nest are planned exactly as before.
// Break-check: with the fallback removed from coverWindow the example and the property fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { coverWindow } from '../../packages/dynotally/src/query/cover.ts';
import { planTotal } from '../../packages/dynotally/src/query/plan-total.ts';
import type { TimeContext } from '../../packages/dynotally/src/query/retention.ts';
import {
  calendarFor,
  type GranularitySpec,
  parseGranularity,
} from '../../packages/dynotally/src/time/index.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

describe('a window only weeks and months cover together', () => {
  it('is covered: 21 weeks, then 4 months', () => {
    const r = defineRollup({
      name: 'wm',
      groupBy: 'g',
      granularities: ['week', 'month'],
      measures: { n: count() },
    });
    const plan = planTotal(
      r.compiled,
      { from: '2026-01-05T00:00:00Z', to: '2026-10-01T00:00:00Z' },
      { now: NOW },
    );
    expect(plan.computedFrom.map((c) => [c.granularity, c.buckets, c.first, c.last])).toEqual([
      ['week', 21, 'W2026-W02', 'W2026-W22'],
      ['month', 4, 'M2026-06', 'M2026-09'],
    ]);
    // days expired: the same window, the same cover (the recent days are not needed)
    const expired = defineRollup({
      name: 'wmd',
      groupBy: 'g',
      granularities: ['day', 'week', 'month'],
      retention: { day: '35d' },
      measures: { n: count() },
    });
    const again = planTotal(
      expired.compiled,
      { from: '2026-01-05T00:00:00Z', to: '2026-10-01T00:00:00Z' },
      { now: NOW },
    );
    expect(again.computedFrom.map((c) => [c.granularity, c.buckets])).toEqual([
      ['week', 21],
      ['month', 4],
    ]);
  });

  it('with N-minute sizes that do not divide each other too', () => {
    const cal = calendarFor('Asia/Kathmandu');
    const ctx: TimeContext = { calendar: cal, now: NOW, retentionMs: new Map() };
    const grans = ['15m', '10m'].map(parseGranularity);
    const from = Date.UTC(2026, 5, 1, 3, 25); // 09:10 local (+05:45)
    const cells = coverWindow(ctx, grans, from, from + 35 * 60_000);
    expect(cells?.map((c) => c.granularity.id)).toEqual(['10m', '10m', '15m']);
  });

  it('is covered whenever some partition into weeks and months exists (oracle: reachability over the boundaries)', () => {
    const zones = ['UTC', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Europe/London'];
    const grans: GranularitySpec[] = ['month', 'week'].map(parseGranularity);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 3 * 365 }),
        fc.integer({ min: 1, max: 500 }),
        (zone, startDay, days) => {
          const cal = calendarFor(zone);
          const ctx: TimeContext = { calendar: cal, now: NOW, retentionMs: new Map() };
          // edges on boundaries: a week or a month start
          const base = Date.UTC(2024, 0, 1) + startDay * DAY;
          const from = cal.bucket(grans[startDay % 2] as GranularitySpec, base).start;
          const to = cal.bucket(grans[days % 2] as GranularitySpec, from + days * DAY).start;
          if (to <= from) return;
          const exists = reachable(ctx, grans, from, to);
          const cells = coverWindow(ctx, grans, from, to);
          expect(cells !== undefined).toBe(exists);
          if (cells === undefined) return;
          expect(cells[0]?.bucket.start).toBe(from);
          expect(cells[cells.length - 1]?.bucket.end).toBe(to);
          for (let i = 1; i < cells.length; i++)
            expect(cells[i]?.bucket.start).toBe(cells[i - 1]?.bucket.end);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Whether `to` is reached from `from` by whole buckets: every boundary in order, forward (an independent walk). */
function reachable(ctx: TimeContext, grans: readonly GranularitySpec[], from: number, to: number): boolean {
  const points = new Set<number>();
  for (const g of grans) {
    for (let b = ctx.calendar.bucket(g, from); b.start < to; b = ctx.calendar.next(b, g)) points.add(b.start);
  }
  points.add(to);
  const reached = new Set<number>([from]);
  for (const p of [...points].sort((a, b) => a - b)) {
    if (!reached.has(p)) continue;
    for (const g of grans) {
      const b = ctx.calendar.bucket(g, p);
      if (b.start === p && b.end <= to) reached.add(b.end);
    }
  }
  return reached.has(to);
}

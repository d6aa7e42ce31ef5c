import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarFor, type GranularitySpec, granularityOrder, parseGranularity } from '../time/index.ts';
import { type CoverCell, coverWindow } from './cover.ts';
import type { TimeContext } from './retention.ts';

const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu'] as const;
const SETS = {
  s0: ['minute', 'hour', 'day'],
  a: ['minute', '15m', 'hour', 'day', 'month', 'year'],
  s4: ['day', 'month', 'year'],
  b: ['second', 'day', 'month'],
  weeks: ['minute', 'hour', 'day', 'week', 'month', 'year'],
} as const;
const DAY = 86_400_000;
const ANCHORS = [
  Date.UTC(2026, 2, 29, 1), // London spring forward
  Date.UTC(2026, 9, 25, 1), // London fall back
  Date.UTC(2026, 2, 8, 7), // New York spring forward
  Date.UTC(2026, 11, 31, 23, 59, 59, 999),
  Date.UTC(2026, 0, 31, 18, 15), // Kathmandu midnight
  Date.UTC(2026, 4, 31, 18, 30), // Kolkata midnight
];

function ctxOf(zone: string, now: number, retention: Record<string, number> = {}): TimeContext {
  return { calendar: calendarFor(zone), now, retentionMs: new Map(Object.entries(retention)) };
}

/** Cells sorted by start tile [from, to): contiguous, no gap, no overlap, each a real bucket. */
function expectTiling(ctx: TimeContext, cells: readonly CoverCell[], from: number, to: number): void {
  const sorted = [...cells].sort((a, b) => a.bucket.start - b.bucket.start);
  expect(sorted[0]?.bucket.start).toBe(from);
  expect(sorted[sorted.length - 1]?.bucket.end).toBe(to);
  // plain checks in the loops (an expect per cell would dominate the run time)
  const gaps = sorted.filter((c, i) => i > 0 && c.bucket.start !== sorted[i - 1]?.bucket.end);
  expect(gaps.map((c) => c.bucket.label)).toEqual([]);
  const fake = sorted.filter((c) => {
    const real = ctx.calendar.bucket(c.granularity, c.bucket.start);
    return real.label !== c.bucket.label || real.end !== c.bucket.end;
  });
  expect(fake.map((c) => c.bucket.label)).toEqual([]);
}

/**
 * With nesting granularities, the coarsest cover never uses a finer cell inside a coarser bucket that lies
 * wholly inside the window (that bucket should have been used instead).
 */
function expectCoarsest(
  ctx: TimeContext,
  grans: readonly GranularitySpec[],
  cells: readonly CoverCell[],
  from: number,
  to: number,
) {
  const wasted: string[] = [];
  for (const c of cells) {
    for (const g of grans) {
      if (granularityOrder(g) <= granularityOrder(c.granularity)) continue;
      const b = ctx.calendar.bucket(g, c.bucket.start);
      if (b.start >= from && b.end <= to)
        wasted.push(`${c.bucket.label} lies in ${b.label}, wholly inside the window`);
    }
  }
  expect(wasted).toEqual([]);
}

const windowArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  set: fc.constantFrom(...(Object.keys(SETS) as Array<keyof typeof SETS>)),
  anchor: fc.constantFrom(...ANCHORS),
  startMin: fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }),
  lengthMin: fc.integer({ min: 1, max: 70 * 24 * 60 }),
});

describe('coverWindow', () => {
  it('tiles any window on minute boundaries exactly, with the coarsest buckets that fit (5 zones, DST, odd offsets)', () => {
    fc.assert(
      fc.property(windowArb, ({ zone, set, anchor, startMin, lengthMin }) => {
        const grans = SETS[set].map(parseGranularity);
        const ctx = ctxOf(zone, anchor);
        const finest = grans.reduce((a, g) => (granularityOrder(g) < granularityOrder(a) ? g : a));
        // snap the edges to the finest granularity so that an exact cover exists
        const cal = ctx.calendar;
        const from = cal.bucket(finest, Math.floor(anchor / 60_000) * 60_000 + startMin * 60_000).start;
        // seconds: keep the window short enough that its edges are a few thousand cells
        const length = set === 'b' ? (lengthMin % 180) + 1 : lengthMin;
        const to = Math.max(from + 1, cal.bucket(finest, from + length * 60_000).start);
        const toEdge = cal.bucket(finest, to).start === to ? to : cal.bucket(finest, to).end;
        const cells = coverWindow(ctx, grans, from, toEdge);
        expect(cells).toBeDefined();
        expectTiling(ctx, cells as CoverCell[], from, toEdge);
        if (set !== 'weeks') expectCoarsest(ctx, grans, cells as CoverCell[], from, toEdge);
      }),
      { numRuns: 80 },
    );
  });

  it('never uses a bucket past its retention, and fails rather than cover with one', () => {
    fc.assert(
      fc.property(
        windowArb,
        fc.integer({ min: 0, max: 20 }),
        ({ zone, anchor, startMin, lengthMin }, nowDays) => {
          const grans = SETS.s0.map(parseGranularity);
          const now = anchor + nowDays * DAY;
          const ctx = ctxOf(zone, now, { minute: 8 * DAY, hour: 400 * DAY });
          const from = Math.floor(anchor / 60_000) * 60_000 + startMin * 60_000;
          const to = from + lengthMin * 60_000;
          const cells = coverWindow(ctx, grans, from, to);
          if (cells === undefined) {
            // only when an edge is a minute that is no longer kept
            const minuteKeptFrom = now - 8 * DAY;
            const hour = parseGranularity('hour');
            const fromOk = ctx.calendar.bucket(hour, from).start === from || from + 60_000 > minuteKeptFrom;
            const toOk = ctx.calendar.bucket(hour, to).start === to || to > minuteKeptFrom;
            expect(fromOk && toOk).toBe(false);
            return;
          }
          expectTiling(ctx, cells, from, to);
          const expired = cells.filter((c) => c.granularity.id === 'minute' && c.bucket.end + 8 * DAY <= now);
          expect(expired).toEqual([]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('is undefined for an edge between boundaries and for the all-time window without all', () => {
    const ctx = ctxOf('UTC', Date.UTC(2026, 10, 22));
    const grans = SETS.s4.map(parseGranularity);
    expect(coverWindow(ctx, grans, Date.UTC(2026, 10, 1), Date.UTC(2026, 10, 2, 1))).toBeUndefined();
    expect(coverWindow(ctx, grans, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).toBeUndefined();
    const all = coverWindow(
      ctx,
      [...grans, parseGranularity('all')],
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    );
    expect(all?.map((c) => c.bucket.label)).toEqual(['ALL']);
  });
});

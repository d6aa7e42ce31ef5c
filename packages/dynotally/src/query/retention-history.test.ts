import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { historyByGranularity, liveUntil } from '../retention/index.ts';
import { parseGranularity } from '../time/index.ts';
import { isRetained, retainedFrom, timeContext } from './retention.ts';

const D = 86_400_000;
const T = Date.UTC(2026, 5, 10, 9, 20);
const rollup = defineRollup({
  name: 'ret',
  groupBy: 'g',
  granularities: ['minute', 'hour'],
  retention: { minute: '8d', hour: '400d' },
  measures: { n: count() },
});

describe('retention with a history', () => {
  const hour = parseGranularity('hour');
  const history = historyByGranularity([
    { granularity: 'hour', retentionMs: 10 * D, firstSeen: T - 30 * D, lastSeen: T },
    { granularity: 'hour', retentionMs: 30 * D, firstSeen: T, lastSeen: T + 15 * D },
  ]);

  it('retainedFrom is the first bucket isRetained keeps (brute force over the pieces)', () => {
    for (const now of [T + 5 * D, T + 12 * D, T + 20 * D, T + 40 * D, T + 50 * D]) {
      const ctx = timeContext(rollup.compiled, now, history);
      const from = retainedFrom(ctx, hour);
      let b = ctx.calendar.bucket(hour, now - 60 * D);
      let first: number | undefined;
      while (b.start <= now) {
        const kept = isRetained(ctx, hour, b);
        if (kept && first === undefined) first = b.start;
        if (first !== undefined) expect(kept, new Date(b.start).toISOString()).toBe(true); // a suffix
        b = ctx.calendar.next(b, hour);
      }
      expect(new Date(from).toISOString(), new Date(now).toISOString()).toBe(
        new Date(first as number).toISOString(),
      );
    }
  });

  it('buckets a shorter writer was live for are kept its retention; later ones the definition’s', () => {
    const now = T + 20 * D;
    const ctx = timeContext(rollup.compiled, now, history);
    expect(isRetained(ctx, hour, ctx.calendar.bucket(hour, T))).toBe(false); // 10 d writer live: gone
    const afterOld = liveUntil({ granularity: 'hour', retentionMs: 0, firstSeen: 0, lastSeen: T }) + 1;
    expect(isRetained(ctx, hour, ctx.calendar.next(ctx.calendar.bucket(hour, afterOld), hour))).toBe(true);
    // without a history: the definition's 400 days
    expect(isRetained(timeContext(rollup.compiled, now), hour, ctx.calendar.bucket(hour, T))).toBe(true);
  });
});

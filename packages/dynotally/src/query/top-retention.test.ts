import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { historyByGranularity } from '../retention/index.ts';
import { ALL_BUCKET, parseGranularity } from '../time/index.ts';
import { timeContext } from './retention.ts';
import { topBucketRefusal } from './top-retention.ts';

const D = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12);
const favs = defineRollup({
  name: 'favs',
  groupBy: 'restaurantId',
  granularities: ['month', 'all'],
  retention: { month: '400d' },
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['month', 'all'] },
});
const month = parseGranularity('month');
const c = favs.compiled;
const monthAt = (t: number) => c.calendar.bucket(month, t);

describe('topBucketRefusal', () => {
  it('keeps the buckets the retention keeps, and all time', () => {
    const ctx = timeContext(c, NOW);
    expect(topBucketRefusal(ctx, month, monthAt(NOW), 'favs')).toBeUndefined();
    expect(topBucketRefusal(ctx, month, monthAt(NOW - 300 * D), 'favs')).toBeUndefined();
    expect(topBucketRefusal(ctx, parseGranularity('all'), ALL_BUCKET, 'favs')).toBeUndefined();
  });

  it('refuses a bucket past the retention, naming it and the retention that would have kept it', () => {
    const old = monthAt(NOW - 500 * D);
    const e = topBucketRefusal(timeContext(c, NOW), month, old, 'favs');
    expect(e?.code).toBe('WINDOW_NOT_SERVABLE');
    expect(e?.message).toContain(`top: the month bucket ${old.label} of rollup 'favs' ended`);
    expect(e?.message).toContain("past month's retention (400d)");
    expect(e?.details).toMatchObject({
      rollup: 'favs',
      bucket: old.label,
      granularity: 'month',
      retention: '400d',
    });
  });

  it('refuses a bucket written while a writer kept months for a shorter time, naming that retention', () => {
    const history = historyByGranularity([
      { granularity: 'month', retentionMs: 60 * D, firstSeen: NOW - 200 * D, lastSeen: NOW - 100 * D },
    ]);
    const ctx = timeContext(c, NOW, history);
    const written = monthAt(NOW - 150 * D); // a 60-day writer was live then: gone 60 days after its end
    const e = topBucketRefusal(ctx, month, written, 'favs');
    expect(e?.code).toBe('WINDOW_NOT_SERVABLE');
    expect(e?.message).toContain('was written while month was kept 60d');
    expect(e?.details).toMatchObject({ writtenUnder: '60d', retention: '400d' });
    // a month after that writer stopped is kept the definition's 400 days
    expect(topBucketRefusal(ctx, month, monthAt(NOW - 60 * D), 'favs')).toBeUndefined();
  });
});

// What the first screen says about S4's flushes comes from the buffered applier's own bucket widths: with the
// dev stack's defaults S4's rows (month rows with their days, all-time rows with their years) flush hourly.
import { describe, expect, it } from 'vitest';
import { storeMetrics } from '../scenarios/index.ts';
import { bufferedS4 } from './buffered-s4.ts';
import { describeFlushSchedule, flushSchedule } from './flush-schedule.ts';

describe('S4 flush schedule', () => {
  it('lists each row kind with the width of the buckets it collects in', () => {
    const hourly = { bucketMs: 900_000, rowBucketMs: { month: 3_600_000, all: 3_600_000 } };
    expect(flushSchedule(storeMetrics, hourly)).toEqual([
      { row: 'month', carries: ['day', 'month'], bucketMs: 3_600_000 },
      { row: 'all', carries: ['year', 'all'], bucketMs: 3_600_000 },
    ]);
    expect(describeFlushSchedule(flushSchedule(storeMetrics, hourly), 15_000)).toBe(
      'month rows (day, month) and all-time rows (year, all) count in 1-hour buckets, each written to DynamoDB after it closes (checked every 15 s)',
    );
    const mixed = flushSchedule(storeMetrics, { bucketMs: 900_000, rowBucketMs: { all: 3_600_000 } });
    expect(describeFlushSchedule(mixed, 60_000)).toBe(
      'month rows (day, month) count in 15-minute buckets and all-time rows (year, all) count in 1-hour buckets, each written to DynamoDB after it closes (checked every 1 min)',
    );
  });

  it("the dev stack's S4 line says the rows flush hourly, not every 15 s", () => {
    const line = bufferedS4().describe;
    expect(line).toContain('count in 1-hour buckets');
    expect(line).not.toMatch(/flushed to DynamoDB every 15 s/);
    expect(bufferedS4({ rowBucketMs: {} }).describe).toContain('count in 15-minute buckets');
  });
});

import { describe, expect, it } from 'vitest';
import { liveUntil, retentionAt } from './effective-retention.ts';
import { HISTORY_BUMP_MS, HISTORY_MARGIN_MS } from './history-timing.ts';

const D = 86_400_000;
const old = { granularity: 'hour', retentionMs: 10 * D, firstSeen: 0, lastSeen: 5 * D };

describe('retentionAt', () => {
  it("applies a shorter writer's retention to buckets starting up to its lastSeen + bump + margin", () => {
    expect(liveUntil(old)).toBe(5 * D + HISTORY_BUMP_MS + HISTORY_MARGIN_MS);
    expect(retentionAt(400 * D, [old], 0)).toBe(10 * D);
    expect(retentionAt(400 * D, [old], liveUntil(old))).toBe(10 * D);
    expect(retentionAt(400 * D, [old], liveUntil(old) + 1)).toBe(400 * D);
  });

  it('never lengthens the definition’s own retention, and without entries is the definition’s', () => {
    expect(retentionAt(8 * D, [old], 0)).toBe(8 * D);
    expect(retentionAt(8 * D, undefined, 0)).toBe(8 * D);
    expect(retentionAt(Number.POSITIVE_INFINITY, [old], 0)).toBe(10 * D);
  });
});

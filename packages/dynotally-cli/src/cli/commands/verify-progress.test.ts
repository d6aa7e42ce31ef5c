// The progress lines `dynotally verify` prints on stderr while it scans: the pass, the phase and its counts.
import type { VerifyProgress } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { verifyProgressLine } from './verify-progress.ts';

const at = (p: Partial<VerifyProgress>): VerifyProgress => ({
  pass: 1,
  passes: 2,
  phase: 'source',
  reads: 'scan',
  scanned: 0,
  expectedRows: 0,
  storedRows: 0,
  compared: 0,
  drifted: 0,
  segmentsDone: 0,
  segments: 4,
  readUnits: 0,
  estimatedItems: 0,
  itemsPerSecond: 0,
  etaMs: 0,
  ...p,
});

describe('verifyProgressLine', () => {
  it('says each phase with its counts', () => {
    expect(verifyProgressLine(at({ scanned: 120_000, expectedRows: 4_100, segmentsDone: 3 }))).toBe(
      'verify: pass 1 of 2, source: 120,000/? items scanned, 4,100 rows recomputed, segments 3/4, 0 items/s, ETA ?',
    );
    expect(
      verifyProgressLine(
        at({ phase: 'stored', expectedRows: 4_100, storedRows: 2_050, drifted: 1, segmentsDone: 1 }),
      ),
    ).toBe(
      'verify: pass 1 of 2, stored rows: 2,050 read and compared (4,100 recomputed), 1 cell differs, segments 1/4',
    );
    expect(verifyProgressLine(at({ phase: 'compare', reads: 'none', compared: 4_101, drifted: 2 }))).toBe(
      'verify: pass 1 of 2, missing rows: 4,101 rows compared, 2 cells differ',
    );
  });

  it('counts groups when the stored rows are read by Query', () => {
    expect(
      verifyProgressLine(at({ pass: 2, phase: 'stored', reads: 'query', segmentsDone: 2, segments: 3 })),
    ).toMatch(/^verify: pass 2 of 2, stored rows: .*, groups 2\/3$/);
  });

  // the source scan had counts but no total and no time left, unlike the backfill's, over the same estimate
  it("says the source scan's share of the table's estimated item count, its rate and ETA, as backfill does", () => {
    const p = at({
      scanned: 120_000,
      expectedRows: 4_100,
      segmentsDone: 1,
      estimatedItems: 400_000,
      itemsPerSecond: 1_250,
      etaMs: 224_000,
    });
    expect(verifyProgressLine(p)).toBe(
      'verify: pass 1 of 2, source: 120,000/400,000 items scanned, 4,100 rows recomputed, segments 1/4, 1,250 items/s, ETA 224s',
    );
    expect(verifyProgressLine(p, true)).toBe(
      'verify: pass 1 of 2, source: [######--------------] 30% 120,000/400,000 items · 4,100 rows recomputed · 1,250/s · ETA 224s',
    );
    // while the table's item count is not estimated yet (0), as the backfill's bar says it
    expect(verifyProgressLine(at({ scanned: 4_000, itemsPerSecond: 1_250 }), true)).toBe(
      "verify: pass 1 of 2, source: [????????????????????] 4,000/? items · the table's size is not estimated yet · 0 rows recomputed · 1,250/s · ETA ?",
    );
    // the other phases read no source: they say no ETA
    expect(verifyProgressLine(at({ phase: 'stored', estimatedItems: 400_000 }), true)).not.toContain('ETA');
  });
});

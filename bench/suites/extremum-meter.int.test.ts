// Issue 13 compares min / max / last writes per event, and the requests that carry them, on the UpdateItem
// path (one request each) and on the PartiQL path (25 statements a request). Those figures come from the
// bench's write meter, which recognises an extremum write by its shape: checked here against what the
// Applier itself says it wrote, on both paths, for the same records.
import { describe, expect, it } from 'vitest';
import { ddbReady } from '../../test/support/ddb.ts';
import { type E2eCell, runE2eBench } from './e2e.ts';

describe('extremum writes metered by shape', () => {
  it('equal the Applier’s own count on both paths; PartiQL carries them in fewer requests', {
    timeout: 1_800_000,
  }, async () => {
    const endpoint = await ddbReady();
    const events = 150;
    const result = await runE2eBench({
      endpoint,
      events,
      cells: [
        { contender: 'eo-row-x', batchSize: 100, events },
        { contender: 'eo-row-x-ui', batchSize: 100, events },
      ],
      warmupEvents: 0,
      pricing: 'off', // extremum writes are metered by shape, not priced: no image streams to wait for
      tablePrefix: `extrema-${process.pid}-${Date.now().toString(36)}`,
    });
    const [partiql, updateItem] = result.cells as [E2eCell, E2eCell];
    for (const cell of [partiql, updateItem]) {
      expect(cell.error).toBeUndefined();
      expect(cell.correct).toBe(true);
      expect(cell.applierExtremaWritten).toBeGreaterThan(0);
      // a fresh table, one delivery: each extremum sent once (rows are written first, so no statement finds
      // its row missing and falls back to UpdateItem), unless DynamoDB Local refused some under load and the
      // Applier sent them again
      const metered = Math.round(cell.extremumWritesPerEvent * events);
      if (cell.applierRetries === 0) expect(metered).toBe(cell.applierExtremaWritten);
      else expect(metered).toBeGreaterThanOrEqual(cell.applierExtremaWritten ?? 0);
    }
    // the same records plan the same extrema on both paths
    expect(partiql.applierExtremaWritten).toBe(updateItem.applierExtremaWritten);
    // UpdateItem: one request per extremum; PartiQL: at most 25 a request, so fewer requests than writes
    expect(updateItem.extremumRequestsPerEvent).toBeCloseTo(updateItem.extremumWritesPerEvent, 9);
    expect(partiql.extremumRequestsPerEvent * 25).toBeGreaterThanOrEqual(partiql.extremumWritesPerEvent);
    expect(partiql.extremumRequestsPerEvent).toBeLessThan(partiql.extremumWritesPerEvent);
  });
});

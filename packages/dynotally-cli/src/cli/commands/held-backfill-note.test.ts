// What `dynotally backfill` says when its complete version is held (it lacks items the store refused while another
// version serves): NOT promoted, why, and how to promote it anyway or keep the serving version.
import type { BackfillReport } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { heldBackfillNote } from './repair-held.ts';

const report = (r: Partial<BackfillReport>): BackfillReport =>
  ({ version: 2, complete: true, durationMs: 1, progress: {}, ...r }) as BackfillReport;

describe('heldBackfillNote', () => {
  it('says a held version was not promoted, why and what to do', () => {
    const note = heldBackfillNote('store', report({ storeRefused: 3, held: true }), 'dl');
    expect(note).toContain('backfill: NOT PROMOTED: the store refused 3 items of the source');
    expect(note).toContain('NUMBER_UNREPRESENTABLE');
    expect(note).toContain('dead-lettered to dl');
    expect(note).toContain('dynotally rollups promote store 2 --force');
    expect(note).toContain('dynotally rollups retire store 2');
  });

  it('says nothing of a version not held (nothing refused, or nothing served before)', () => {
    expect(heldBackfillNote('store', report({ storeRefused: 0, held: false }), 'dl')).toBeUndefined();
    expect(heldBackfillNote('store', report({ storeRefused: 2, held: false }), 'dl')).toBeUndefined();
    expect(heldBackfillNote('store', report({ complete: false }), 'dl')).toBeUndefined();
  });
});

// What `dynotally verify --repair` says when its rebuild's promotion was refused (the control item changed meanwhile:
// another version promoted, the rebuild retired): NOT promoted, the refusal's reason, what serves, and a coded error.
import type { RepairReport } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { refusedRepairNote, repairPromotionRefusal } from './repair-refused.ts';

const report = (r: Partial<RepairReport>): RepairReport =>
  ({
    version: 3,
    registered: true,
    previous: 1,
    promoted: false,
    backfill: { version: 3, complete: true, durationMs: 1, progress: { folded: 1200 } },
    storeRefused: 0,
    held: false,
    ...r,
  }) as RepairReport;

describe('a repair whose promotion was refused', () => {
  const refused = report({ promoteRefused: { reason: 'another promotion (version 2) won', serving: 2 } });

  it('says it was not promoted, why, what it folded and what serves', () => {
    const note = refusedRepairNote('store', refused);
    expect(note).toContain('repair: NOT PROMOTED: another promotion (version 2) won.');
    expect(note).toContain('Version 3 was built from the source (1,200 items folded)');
    expect(note).toContain('version 2 serves');
    expect(note).toContain('dynotally rollups status store');
  });

  it('ends the command with PROMOTE_REFUSED', () => {
    expect(repairPromotionRefusal('store', refused)).toMatchObject({
      code: 'PROMOTE_REFUSED',
      details: { rollup: 'store', version: 3, serving: 2 },
    });
  });

  it('says nothing of a repair whose promotion was not refused', () => {
    expect(refusedRepairNote('store', report({ promoted: true }))).toBeUndefined();
    expect(repairPromotionRefusal('store', report({ held: true, storeRefused: 2 }))).toBeUndefined();
  });
});

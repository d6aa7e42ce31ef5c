// `dynotally rollups status` showed a version's hold, but not what its backfill's end recorded: the items the store
// refused (`backfill.storeRefused`), which the version lacks, also when no hold was recorded (a first build,
// promoted with nothing else serving).
import type { ControlItem } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { versionStatusRows, versionStatusText } from './rollups.ts';

const ENDED = Date.UTC(2026, 11, 1, 10);

function control(storeRefused: number | undefined, hold?: number): ControlItem {
  return {
    rollup: 'store',
    serving: 1,
    next: 3,
    versions: [
      { version: 1, fingerprint: 'aa11', state: 'serving', registeredAt: 0 },
      {
        version: 2,
        fingerprint: 'bb22',
        state: 'ready',
        registeredAt: 0,
        needsBackfill: true,
        backfill: { startedAt: ENDED - 60_000, endedAt: ENDED, segments: 4, storeRefused },
        ...(hold === undefined ? {} : { hold: { storeRefused: hold, at: ENDED } }),
      },
    ],
  } as ControlItem;
}

describe('rollups status', () => {
  it("shows the items a version's backfill could not store, and what that means", () => {
    const rows = versionStatusRows([{ name: 'store', control: control(3, 3) }]);
    expect(rows.map((r) => r.backfillStoreRefused)).toEqual([0, 3]);
    const text = versionStatusText(rows);
    expect(text).toContain('done 2026-12-01T10:00:00.000Z, 3 items the store refused');
    expect(text).toContain(
      'the store refused: items its backfill could not store (a sum past 38 digits in the scan order, a row past 400 KB), dead-lettered and in none of its rows; while another version serves, a backfill or repair holds its promotion for them (HOLD: rollups promote --force promotes it without them)',
    );
  });

  it('says nothing of refused items when there were none, or none were recorded', () => {
    for (const c of [control(0), control(undefined)]) {
      const rows = versionStatusRows([{ name: 'store', control: c }]);
      expect(rows.map((r) => r.backfillStoreRefused)).toEqual([0, 0]);
      const text = versionStatusText(rows);
      expect(text).toContain('done 2026-12-01T10:00:00.000Z ');
      expect(text).not.toContain('refused');
    }
  });
});

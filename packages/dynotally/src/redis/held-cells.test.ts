// Review s42v (coverage, no finding): the marker an unplaced row's letter ties the row to (`letteredMarker`,
// `<marker>|~`) compared as every flush condition and reader compares markers (plain string order for the flusher's
// `_fb < :marker` and the tie's own `#w = :w`, `flushedCell` for the flusher's re-run and the live readers). It must
// be at or past every write a flush of its bucket makes to the row (the whole row, each part of a wide row, a refused
// part's tie), with or without the bucket's seal move (`<bucket>^<move>@<epoch>`), and below every later bucket's
// marker, a later seal-move bucket's included, so a later flush of the row is never refused or skipped.
import { describe, expect, it } from 'vitest';
import type { RowWrite } from '../plan/index.ts';
import { flushMarker } from './flush-marker.ts';
import { letteredMarker, unheldCells } from './held-cells.ts';
import { bucketMarker } from './keys.ts';
import { flushedCell, rowParts } from './row-parts.ts';
import type { UnplacedRow } from './rows-from-cells.ts';

const B = Date.UTC(2026, 10, 22, 9, 15);
const LATER = Date.UTC(2026, 10, 22, 9, 30);
const EPOCH = '1764888000123456';
/** The bucket's marker without a seal move, and with one at or before it (the bucket itself a seal bucket, too). */
const MARKERS = [
  flushMarker(B),
  flushMarker(B, `${B - 5 * 60_000}@${EPOCH}`),
  flushMarker(B, `${B}@${EPOCH}`),
];
/** Markers of later buckets: plain, carrying an older move, and a seal bucket named by a later move. */
const LATER_MARKERS = [
  flushMarker(LATER),
  flushMarker(LATER, `${B - 5 * 60_000}@${EPOCH}`),
  flushMarker(B + 1_000, `${B + 1_000}@${EPOCH}`),
  flushMarker(LATER, `${B + 1_000}@9${EPOCH}`),
];

function wideRow(): RowWrite {
  const adds: Array<readonly [string, number]> = [];
  for (const m of ['a', 'readings', 'z', 'Z', '_x', '0n'])
    for (let i = 0; i < 400; i++) adds.push([`${m}_${i}`, i + 1]);
  adds.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return {
    rollup: 'r',
    pk: 'r#sg1',
    sk: 'H2026-11-22T08',
    adds,
    ttl: undefined,
    leaderboard: { key: 'r#H#0', delta: 3 },
    firstSeq: '',
    lastSeq: '',
    lastApproxMs: 0,
  };
}

describe('letteredMarker against every marker a flush writes', () => {
  it.each(MARKERS)('is at or past every write of its bucket (%s)', (marker) => {
    const tie = letteredMarker(marker);
    const parts = rowParts(wideRow(), marker);
    expect(parts.length).toBeGreaterThan(2);
    // the whole row, and every part (a refused part's tie sets `_fb` to the part's marker too)
    for (const value of [marker, ...parts.map((p) => p.marker)]) expect(value <= tie).toBe(true);
    expect(marker < tie).toBe(true);
    expect(parts[parts.length - 1]?.marker).toBe(tie);
    // the flusher's own re-run and the live readers: every cell of the bucket, the leaderboard entry's included, held
    for (const attr of ['a_0', 'z_399', '_x_1', 'lbv'])
      expect(flushedCell(tie, bucketMarker(B), attr)).toBe(true);
  });

  it.each(MARKERS)('is below every later bucket’s marker, a seal-move bucket’s included (%s)', (marker) => {
    const tie = letteredMarker(marker);
    for (const later of LATER_MARKERS) {
      expect(tie < later).toBe(true); // the later flush's `_fb < :marker` holds
      for (const p of rowParts(wideRow(), later)) expect(tie < p.marker).toBe(true);
      const bucket = later.slice(0, 15);
      expect(flushedCell(tie, bucket, 'a_0')).toBe(false);
      expect(flushedCell(tie, bucket, 'lbv')).toBe(false);
    }
  });

  it('leaves an unplaced row of a later bucket whole, and one of its own bucket empty', () => {
    const u: UnplacedRow = { rollup: 'r', pk: 'r#sg1', sk: 'ALL', adds: wideRow().adds };
    for (const marker of MARKERS) {
      const tie = letteredMarker(marker);
      expect(unheldCells(u, LATER, tie).adds.length).toBe(u.adds.length);
      expect(unheldCells(u, B + 1_000, tie).adds.length).toBe(u.adds.length);
      expect(unheldCells(u, B, tie).adds).toEqual([]);
    }
  });
});

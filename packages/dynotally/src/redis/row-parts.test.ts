import { describe, expect, it } from 'vitest';
import { additionsFit } from '../layout/write-limits.ts';
import type { RowWrite } from '../plan/index.ts';
import { bucketMarker } from './keys.ts';
import { flushedCell, rowParts } from './row-parts.ts';

const B = bucketMarker(Date.UTC(2026, 10, 22, 9, 15));
const NEXT = bucketMarker(Date.UTC(2026, 10, 22, 9, 30));
const EARLIER = bucketMarker(Date.UTC(2026, 10, 22, 9, 0));

function row(n: number, leaderboard = false): RowWrite {
  const adds: Array<readonly [string, number]> = [];
  for (const m of ['readings', 'energy', 'power', 'volts', 'amps'])
    for (let i = 0; i < n; i++) adds.push([`${m}_${i}`, i + 1]);
  // rows come in any order: the parts must not depend on it
  adds.reverse();
  return {
    rollup: 'r',
    pk: 'r#sg1',
    sk: 'H2026-11-22T08',
    adds,
    ttl: undefined,
    leaderboard: leaderboard ? { key: 'r#H#0', delta: 3 } : undefined,
    firstSeq: '',
    lastSeq: '',
    lastApproxMs: 0,
  };
}

describe('rowParts', () => {
  it('keeps a row that fits as one write with the bucket marker', () => {
    const r = row(4, true);
    expect(rowParts(r, B)).toEqual([{ row: r, marker: B, part: undefined }]);
  });

  it('cuts a wide row into parts that fit, cover every addition once, in order, the same every time', () => {
    for (const lb of [false, true]) {
      const r = row(60, lb);
      const parts = rowParts(r, B);
      expect(parts.length).toBeGreaterThan(2);
      for (const p of parts) {
        const names = p.row.adds.map(([a]) => a);
        if (p.row.leaderboard !== undefined) names.push('lbv');
        expect(additionsFit(names)).toBe(true);
      }
      const all = parts.flatMap((p) => p.row.adds.map(([a]) => a));
      expect(all).toEqual(r.adds.map(([a]) => a).sort());
      expect(parts.filter((p) => p.row.leaderboard !== undefined).length).toBe(lb ? 1 : 0);
      expect(parts[parts.length - 1]?.row.leaderboard).toEqual(r.leaderboard);
      // markers grow part by part, above the bucket's and an earlier bucket's, below the next bucket's
      const markers = parts.map((p) => p.marker);
      expect([...markers].sort()).toEqual(markers);
      expect(new Set(markers).size).toBe(markers.length);
      for (const m of markers) {
        expect(m > B && m > EARLIER && m < NEXT).toBe(true);
      }
      expect(markers[markers.length - 1]).toBe(`${B}|~`);
      expect(rowParts({ ...r, adds: [...r.adds].reverse() }, B)).toEqual(parts);
    }
  });
});

describe('flushedCell', () => {
  it('reads the parts of a row written so far', () => {
    const parts = rowParts(row(60, true), B);
    const first = parts[0];
    if (first === undefined) throw new Error('no parts');
    const inFirst = first.row.adds.map(([a]) => a);
    const notInFirst = parts.slice(1).flatMap((p) => p.row.adds.map(([a]) => a));
    for (const a of inFirst) expect(flushedCell(first.marker, B, a)).toBe(true);
    for (const a of notInFirst) expect(flushedCell(first.marker, B, a)).toBe(false);
    expect(flushedCell(first.marker, B, 'lbv')).toBe(false);
    // the leaderboard entry goes with the last part, whatever the names: not before it
    expect(flushedCell(`${B}|volts_9`, B, 'lbv')).toBe(false);
    expect(flushedCell(`${B}|~`, B, 'lbv')).toBe(true);
    expect(flushedCell(`${B}|~`, B, 'volts_7')).toBe(true);
    // the plain markers, as ever
    expect(flushedCell(undefined, B, 'volts_7')).toBe(false);
    expect(flushedCell(B, B, 'volts_7')).toBe(true);
    expect(flushedCell(NEXT, B, 'volts_7')).toBe(true);
    expect(flushedCell(EARLIER, B, 'volts_7')).toBe(false);
    // parts of another bucket: all of an earlier bucket's, none of a later bucket's
    expect(flushedCell(`${EARLIER}|zzz`, B, 'amps_0')).toBe(false);
    expect(flushedCell(`${NEXT}|amps_0`, B, 'volts_7')).toBe(true);
  });
});

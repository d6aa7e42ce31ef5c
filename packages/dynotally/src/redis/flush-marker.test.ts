import { describe, expect, it } from 'vitest';
import type { RowWrite } from '../plan/index.ts';
import { flushMarker, parseFlushMarker } from './flush-marker.ts';
import { bucketMarker } from './keys.ts';
import { flushedCell, rowParts } from './row-parts.ts';

const B = Date.UTC(2026, 10, 22, 12, 1);
const MOVE = Date.UTC(2026, 10, 22, 11, 59, 55);
const EPOCH = '1764888000123456';

describe('flush markers with a seal move', () => {
  it('format and parse back, parts included', () => {
    const m = flushMarker(B, `${MOVE}@${EPOCH}`);
    expect(m).toBe(`${bucketMarker(B)}^${bucketMarker(MOVE)}@${EPOCH}`);
    expect(parseFlushMarker(`${m}|total`)).toEqual({
      bucket: bucketMarker(B),
      move: bucketMarker(MOVE),
      epoch: EPOCH,
      part: 'total',
    });
    expect(parseFlushMarker(bucketMarker(B))).toEqual({
      bucket: bucketMarker(B),
      move: undefined,
      epoch: undefined,
      part: undefined,
    });
    expect(flushMarker(B)).toBe(bucketMarker(B));
  });

  it('still sort in bucket order, part by part, so the flush condition `_fb < :marker` is unchanged', () => {
    const earlier = flushMarker(B - 60_000, `${MOVE}@${EPOCH}`);
    const m = flushMarker(B, `${MOVE}@${EPOCH}`);
    const later = flushMarker(B + 60_000);
    const adds: Array<readonly [string, number]> = [];
    for (let i = 0; i < 150; i++) adds.push([`a_${String(i).padStart(3, '0')}`, 1]);
    const row: RowWrite = {
      rollup: 'r',
      pk: 'r#g',
      sk: 'ALL',
      adds,
      ttl: undefined,
      leaderboard: { key: 'r#A#0', delta: 1 },
      firstSeq: '',
      lastSeq: '',
      lastApproxMs: 0,
    };
    const parts = rowParts(row, m).map((p) => p.marker);
    expect(parts.length).toBeGreaterThan(1);
    const all = [bucketMarker(B - 60_000), earlier, m, ...parts, later];
    expect([...all].sort()).toEqual(all);
  });

  it('flushedCell reads the bucket a marker names, whatever move it carries', () => {
    const m = flushMarker(B, `${MOVE}@${EPOCH}`);
    expect(flushedCell(m, bucketMarker(B), 'n')).toBe(true);
    expect(flushedCell(m, bucketMarker(MOVE), 'n')).toBe(true);
    expect(flushedCell(m, bucketMarker(B + 1), 'n')).toBe(false);
    expect(flushedCell(`${m}|n`, bucketMarker(B), 'n')).toBe(true);
    expect(flushedCell(`${m}|n`, bucketMarker(B), 'total')).toBe(false);
    expect(flushedCell(`${m}|~`, bucketMarker(B), 'lbv')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { type Num, parseNum } from '../numbers/index.ts';
import { flushWrites, inFlushWrites } from './live-parts.ts';
import { rowParts } from './row-parts.ts';
import { rowsFromCells } from './rows-from-cells.ts';

const wide = (ranked: boolean) =>
  defineRollup({
    name: 'wide',
    groupBy: 'g',
    granularities: ['all'],
    measures: { a: count(), b: count() },
    ...(ranked ? { leaderboard: { measure: 'a', granularities: ['all'] as ['all'] } } : {}),
  });
const cells = (names: readonly string[], value = '1') =>
  new Map<string, Num>(names.map((n) => [n, parseNum(value)]));
const names = Array.from({ length: 150 }, (_, i) => `c_${String(i).padStart(3, '0')}`);

describe('flushWrites', () => {
  it("cuts a row as the flusher's rowParts does, the leaderboard entry with the last part", () => {
    for (const ranked of [false, true]) {
      const r = wide(ranked);
      const bucket = cells(['a', ...names.slice(0, 99)]);
      const byName = new Map([['wide', r.compiled]]);
      const parts = rowParts(
        {
          rollup: 'wide',
          pk: 'wide#sg',
          sk: 'ALL',
          adds: [...bucket].sort(([x], [y]) => (x < y ? -1 : 1)),
          ttl: undefined,
          leaderboard: ranked ? { key: 'wide#ALL#0', delta: 1 } : undefined,
          firstSeq: '',
          lastSeq: '',
          lastApproxMs: 0,
        },
        'm',
      );
      // 100 additions: one write, or two with the entry (100 counters and lbv do not fit one)
      expect(flushWrites(byName, 'wide#sg', 'ALL', bucket)).toEqual(
        parts.map((p) => p.row.adds.map(([a]) => a)),
      );
      expect(parts.length).toBe(ranked ? 2 : 1);
    }
  });

  it("decides 'ranked' as the flusher's rowsFromCells does: a non-zero delta of the ranked measure", () => {
    const sorted = (writes: string[][]) => writes.map((w) => [...w].sort());
    for (const ranked of [false, true])
      for (const a of ['1', '0', undefined]) {
        const byName = new Map([['wide', wide(ranked).compiled]]);
        const fields: Record<string, string> = {};
        if (a !== undefined) fields['ALL|a'] = a;
        for (const n of names.slice(0, 100)) fields[`ALL|${n}`] = '1';
        const bucket = new Map(
          Object.entries(fields).map(([f, v]) => [f.slice(4), parseNum(v)] as [string, Num]),
        );
        const [row] = rowsFromCells(byName, 'wide#sg', fields, 0).rows;
        const flushed = rowParts(row as NonNullable<typeof row>, 'm').map((p) => p.row.adds.map(([n]) => n));
        expect(sorted(flushWrites(byName, 'wide#sg', 'ALL', bucket) ?? [])).toEqual(sorted(flushed));
        // 100 counters fit one write, but not beside lbv, which only a ranked row with a non-zero delta of the ranked
        // measure carries; with that delta, 101 counters are two writes either way
        expect(flushed.length).toBe(a === '1' ? 2 : 1);
      }
  });

  it('leaves zero cells out, and a row the flusher letters whole is no write (review s44z)', () => {
    const byName = new Map([['wide', wide(false).compiled]]);
    const bucket = new Map([...cells(names), ['z', parseNum('0')] as [string, Num]]);
    expect(flushWrites(byName, 'wide#sg', 'ALL', bucket)?.map((w) => w.length)).toEqual([100, 50]);
    // a rollup the flusher was not given: `rowsFromCells` letters the row whole, the read adds none of it
    expect(flushWrites(new Map(), 'wide#sg', 'ALL', bucket)).toBeUndefined();
    expect(inFlushWrites(bucket, bucket, (c) => flushWrites(new Map(), 'wide#sg', 'ALL', c))).toEqual([]);
  });
});

describe('inFlushWrites', () => {
  it('cuts the pending deltas as the whole bucket is cut, held cells out, zero deltas last', () => {
    const byName = new Map([['wide', wide(false).compiled]]);
    const whole = cells(names);
    // the first 100 are held (an earlier run wrote the first part): only the second part is pending
    const pending = cells(names.slice(100));
    pending.set('z', parseNum('0'));
    const writes = inFlushWrites(pending, whole, (c) => flushWrites(byName, 'wide#sg', 'ALL', c));
    expect(writes.map((w) => [...w.keys()].length)).toEqual([50, 1]);
    expect([...(writes[1] as Map<string, Num>).keys()]).toEqual(['z']);
  });
});

// Review s44y (guard of review s44v): `rankedUpperBound` (query/ranked-live.ts) is the most a group's ranked value can
// be once the flush has written or refused its live writes, and `top()` (query/prepare-top.ts) judges on its whole
// row each group with a live delta whose bound still reaches the k-th value. A refused write leaves out its whole
// delta, so the value is the stored one plus the deltas of some subset of the writes: never more than the stored
// value plus the positive deltas. These guard that the bound is exactly that — with decimals, a delta of exactly 38
// digits, zero deltas, no stored row, a value read from the measure's own attribute, and a snapshot that gives no
// writes — and that it is never below the value `rankedWithLive` ranks the group at (a bound below it would leave a
// group out that is placed). Sound: no defect found here.
// Break-check: adding every delta (not only the positive ones) fails the first and third; adding none fails all six.
import { describe, expect, it } from 'vitest';
import {
  addNum,
  compareNum,
  type Num,
  parseNum,
  toDynamoN,
} from '../../packages/dynotally/src/numbers/index.ts';
import type { LiveSnapshot } from '../../packages/dynotally/src/query/live-source.ts';
import { rankedUpperBound, rankedWithLive } from '../../packages/dynotally/src/query/ranked-live.ts';

const PK = 'amounts#s1';
/** A ranked snapshot giving the group's deltas write by write (as `readRanked`'s: the ranked attribute and `lbv`). */
function snapshot(writes: Array<Record<string, string>>, byBucket = true): LiveSnapshot {
  const maps = writes.map((w) => new Map<string, Num>(Object.entries(w).map(([a, v]) => [a, parseNum(v)])));
  const pending = () => {
    const out = new Map<string, Num>();
    for (const m of maps) for (const [a, v] of m) out.set(a, addNum(out.get(a) ?? 0, v));
    return out;
  };
  return {
    pks: () => [PK],
    sortKeys: () => ['ALL'],
    pending,
    ...(byBucket ? { pendingByBucket: () => maps } : {}),
  };
}
const text = (n: Num) => toDynamoN(n);
const stored = (value: string, from = 'lbv') => ({ value: parseNum(value), marker: undefined, from });

describe('review s44y: rankedUpperBound, the most a refusal can leave', () => {
  it('the stored value plus the positive deltas only (decimals)', () => {
    const s = snapshot([
      { lbv: '-90.25', total: '-90.25' },
      { lbv: '5.5', total: '5.5' },
      { lbv: '-1', total: '-1' },
    ]);
    expect(text(rankedUpperBound(s, PK, 'ALL', stored('100'), 'total'))).toBe('105.5');
    expect(text(rankedWithLive(s, PK, 'ALL', stored('100'), 'total') as Num)).toBe('14.25');
  });

  it('a delta of exactly 38 digits counts; the bound may pass 38 digits (only compared)', () => {
    const d = '9'.repeat(38);
    const s = snapshot([{ lbv: d, total: d }]);
    const most = rankedUpperBound(s, PK, 'ALL', stored('1'), 'total');
    expect(compareNum(most, parseNum(d))).toBeGreaterThan(0);
  });

  it('no stored row: the positive deltas alone; a zero delta adds nothing', () => {
    const s = snapshot([
      { lbv: '3', total: '3' },
      { lbv: '0', total: '0' },
      { lbv: '-7', total: '-7' },
    ]);
    expect(text(rankedUpperBound(s, PK, 'ALL', undefined, 'total'))).toBe('3');
  });

  it("a row without a leaderboard entry yet: the measure's own attribute's deltas", () => {
    const s = snapshot([{ total: '4' }, { lbv: '50' }]);
    expect(text(rankedUpperBound(s, PK, 'ALL', stored('10', 'total'), 'total'))).toBe('14');
  });

  it('a snapshot that gives no writes: its pending deltas as one', () => {
    const s = snapshot(
      [
        { lbv: '-5', total: '-5' },
        { lbv: '8', total: '8' },
      ],
      false,
    );
    // one write of the sum (+3): the bound is the stored value plus 3, never below the ranked value
    expect(text(rankedUpperBound(s, PK, 'ALL', stored('2'), 'total'))).toBe('5');
  });

  it('never below the ranked value, for every mix of signs', () => {
    const vals = ['-3', '0', '2.5', '-0.5', '7'];
    for (const a of vals)
      for (const b of vals)
        for (const base of [undefined, '0', '-4', '6.75']) {
          const s = snapshot([
            { lbv: a, total: a },
            { lbv: b, total: b },
          ]);
          const st = base === undefined ? undefined : stored(base);
          const live = rankedWithLive(s, PK, 'ALL', st, 'total');
          const most = rankedUpperBound(s, PK, 'ALL', st, 'total');
          if (live !== undefined) expect(compareNum(most, live)).toBeGreaterThanOrEqual(0);
        }
  });
});

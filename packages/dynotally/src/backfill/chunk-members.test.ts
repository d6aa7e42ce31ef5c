import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../definition/index.ts';
import {
  claimsItem,
  countable,
  memberBits,
  refusedAt,
  refusedBits,
  refuses,
  scanClaimOf,
} from './chunk-members.ts';
import { type Claim, decideItem, sameProjection } from './claim.ts';
import { claimFromItem, claimToItem } from './claim-item.ts';

const rollup = defineRollup({
  name: 'v',
  groupBy: 'g',
  match: { type: 'order' },
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
}).compiled;
const order = { g: { S: 'a' }, t: { N: '1764000000000' }, type: { S: 'order' } };

describe('which of a chunk’s items the scan counts', () => {
  it('counts an image with its time and group inside match, nothing else', () => {
    expect(countable(rollup, order)).toBe(true);
    const { t: _t, ...untimed } = order;
    const { g: _g, ...groupless } = order;
    expect(countable(rollup, untimed)).toBe(false);
    expect(countable(rollup, groupless)).toBe(false);
    expect(countable(rollup, { ...order, type: { S: 'view' } })).toBe(false);
  });

  it('journals one bit per item, and claims only the items the journal counts', () => {
    const flags = Array.from({ length: 19 }, (_, i) => i % 3 === 0);
    const bits = memberBits(flags);
    expect(bits.length).toBe(3);
    flags.forEach((f, i) => {
      expect(claimsItem({ members: bits }, i, undefined)).toBe(f);
      expect(claimsItem({ members: bits }, i, 1_764_000_000)).toBe(f);
    });
  });

  it('marks the items the fold refuses, so a later process reads them again for their letters', () => {
    const amounts = defineRollup({
      name: 'amt',
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { total: sum('amount') },
    }).compiled;
    const base = { g: { S: 'a' }, t: { N: '1764000000000' } };
    expect(refuses(amounts, { ...base, amount: { S: 'abc' } })).toBe(true);
    expect(refuses(amounts, { ...base, amount: { N: '2' } })).toBe(false);
    expect(refuses(amounts, { g: { S: 'a' }, amount: { S: 'abc' } })).toBe(false); // untimed: no member, no letter
    const flags = Array.from({ length: 11 }, (_, i) => i === 2 || i === 9);
    const bits = refusedBits(flags);
    flags.forEach((f, i) => {
      expect(refusedAt({ refused: bits }, i)).toBe(f);
    });
    // nothing refused: nothing added to the journal, and a journal without the bits re-reads nothing
    expect(refusedBits([false, false])).toBeUndefined();
    expect(refusedAt({ refused: undefined }, 0)).toBe(false);
    expect(refusedAt({}, 0)).toBe(false);
  });

  it('a journal of an earlier build: every item until the chunk is applying, none afresh after', () => {
    expect(claimsItem({ members: undefined }, 4, undefined)).toBe(true);
    expect(claimsItem({ members: undefined }, 4, 1_764_000_000)).toBe(false);
  });

  it('claims an item read uncountable or gone as nothing', () => {
    expect(scanClaimOf(rollup, order, 1, 7)).toEqual({
      by: 'scan',
      segment: 1,
      chunk: 7,
      image: order,
      live: undefined,
    });
    const nothing = { by: 'scan', segment: 1, chunk: 7, nothing: true, live: undefined };
    expect(scanClaimOf(rollup, undefined, 1, 7)).toEqual(nothing);
    expect(scanClaimOf(rollup, { ...order, type: { S: 'view' } }, 1, 7)).toEqual(nothing);
  });
});

describe('a claim of nothing', () => {
  const seq = (n: number) => String(n).padStart(40, '0');
  const nothing: Claim = { by: 'scan', segment: 0, chunk: 2, nothing: true, live: undefined };

  it('is stored as `none` and read back, also once live', () => {
    const item = claimToItem('v#k', nothing, 99);
    expect(item.none).toEqual({ BOOL: true });
    expect(item.img).toBeUndefined();
    expect(claimFromItem(item)).toEqual(nothing);
    const live: Claim = { ...nothing, live: { seq: seq(5), first: 'new' } };
    expect(claimFromItem(claimToItem('v#k', live, 99))).toEqual(live);
  });

  it('makes the stream add the first record’s new image only, and count later ones in full', () => {
    const view = { ...order, type: { S: 'view' } };
    const recs = [
      { seq: seq(3), oldImage: view, newImage: order },
      { seq: seq(4), oldImage: order, newImage: view },
    ];
    const first = decideItem(nothing, recs, sameProjection(rollup.reads));
    expect(first.decisions).toEqual(['new', 'full']);
    expect(first.claim).toEqual({ ...nothing, live: { seq: seq(3), first: 'new' } });
    // a redelivery against the claim as stored afterwards decides the same
    expect(decideItem(first.claim, recs, sameProjection(rollup.reads)).decisions).toEqual(['new', 'full']);
  });
});

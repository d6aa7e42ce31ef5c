import { describe, expect, it } from 'vitest';
import { WriteCostMeter } from './write-cost-meter.ts';

const small = { pk: { S: 'a' }, sk: { S: 'M2026-11' }, c: { N: '1' } };
const smallAfter = { ...small, c: { N: '2' } };

describe('WriteCostMeter', () => {
  it('accumulates writes, units and transactions', () => {
    const meter = new WriteCostMeter();
    expect(meter.recordWrite(undefined, small)).toBe(1);
    expect(meter.recordWrite(small, smallAfter)).toBe(1);
    expect(
      meter.recordTransaction([
        { before: small, after: smallAfter },
        { before: undefined, after: { pk: { S: 'wm' }, sk: { S: 'shard' } } },
      ]),
    ).toBe(4);
    expect(meter.snapshot()).toEqual({ writes: 4, writeUnits: 6, transactions: 1 });
    expect(meter.unitsPerEvent(12)).toBe(0.5);
    expect(meter.unitsPerEvent(0)).toBe(0);
  });

  it('bills index writes for the indexes it is given', () => {
    const meter = new WriteCostMeter({ indexes: [{ keys: ['lbk', 'lbv'] }] });
    const ranked = { ...small, lbk: { S: 'lb#ALL' }, lbv: { N: '1' } };
    expect(meter.recordWrite(undefined, ranked)).toBe(2); // table + entering the index
    expect(meter.recordWrite(ranked, { ...ranked, lbv: { N: '2' } })).toBe(3); // table + delete/put
  });

  it('adds external counts and resets', () => {
    const meter = new WriteCostMeter();
    meter.add({ writes: 3, writeUnits: 7 });
    meter.add({ transactions: 1 });
    expect(meter.snapshot()).toEqual({ writes: 3, writeUnits: 7, transactions: 1 });
    meter.reset();
    expect(meter.snapshot()).toEqual({ writes: 0, writeUnits: 0, transactions: 0 });
  });
});

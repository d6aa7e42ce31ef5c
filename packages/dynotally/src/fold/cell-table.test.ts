// The cell table sums exactly: integers and fixed-scale decimals as integers while they stay safe, anything
// else (exponents, more than 15 digits, a sum or a rescale past 2^53) as decimals, compared with a plain
// decimal sum per cell.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, fixedOut, parseFixed, parseInputNumber, toDynamoN } from '../numbers/index.ts';
import { attrId } from './attr-ids.ts';
import { CellTable } from './cell-table.ts';

const numberText = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc
    .tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 6 }))
    .map(([u, s]) => new Dec(u).div(new Dec(10).pow(s)).toFixed(s)),
  fc.constantFrom(
    '9007199254740991',
    '-9007199254740991',
    '900719925474099.1',
    '999999999999999',
    '0.000000000000001',
    '99999999999999.9',
    '1e20',
    '-1e-19',
    '12345678901234567890.123456789',
    '0.00',
    '-0',
    '7.10',
  ),
);

describe('CellTable', () => {
  it('sums every cell exactly, whatever the mix of scales, overflows and decimals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }), numberText), {
          maxLength: 300,
        }),
        fc.integer({ min: 0, max: 64 }),
        (deltas, expected) => {
          const t = new CellTable(expected);
          const want = new Map<string, InstanceType<typeof Dec>>();
          const first: string[] = [];
          for (const [row, a, text] of deltas) {
            const name = `m${a}`;
            const key = `${row}/${name}`;
            if (!want.has(key)) first.push(key);
            want.set(key, (want.get(key) ?? new Dec(0)).plus(new Dec(text)));
            if (parseFixed(text)) t.addFixed(row, attrId(name), name, fixedOut.units, fixedOut.scale);
            else t.addExact(row, attrId(name), name, parseInputNumber(text));
          }
          expect(t.size).toBe(want.size);
          const got: string[] = [];
          for (let k = 0; k < t.size; k++) {
            const i = t.slotAt(k);
            const key = `${t.rowAt(i)}/${t.nameAt(i)}`;
            got.push(key);
            expect(toDynamoN(t.valueAt(i)), key).toBe(toDynamoN(want.get(key) as InstanceType<typeof Dec>));
          }
          expect(got).toEqual(first); // first-touch order
        },
      ),
      { numRuns: 400 },
    );
  });

  it('leaves the integer path exactly at 2^53 and on a rescale that would pass it', () => {
    const t = new CellTable();
    t.addFixed(0, attrId('a'), 'a', Number.MAX_SAFE_INTEGER, 0);
    t.addFixed(0, attrId('a'), 'a', 2, 0); // 2^53 + 1: no double holds it
    t.addFixed(1, attrId('a'), 'a', 900719925474099, 0);
    t.addFixed(1, attrId('a'), 'a', 1, 2); // rescales 900719925474099 by 100: past 2^53
    const values = [0, 1].map((k) => t.valueAt(t.slotAt(k)).toString());
    expect(values).toEqual(['9007199254740993', '900719925474099.01']);
  });

  it('gives plain numbers for whole sums and drops trailing zeros of decimals', () => {
    const t = new CellTable();
    t.addFixed(0, attrId('a'), 'a', 1250, 2);
    t.addFixed(0, attrId('a'), 'a', 750, 2);
    t.addFixed(0, attrId('b'), 'b', 1250, 2);
    t.addFixed(0, attrId('c'), 'c', 5, 1);
    t.addFixed(0, attrId('c'), 'c', -5, 1);
    expect(t.valueAt(t.slotAt(0))).toBe(20);
    expect(t.valueAt(t.slotAt(1)).toString()).toBe('12.5');
    expect(t.valueAt(t.slotAt(2))).toBe(0);
  });
});

describe('parseFixed', () => {
  it('takes plain decimals of up to 15 digits and nothing else', () => {
    const ok = (s: string) => (parseFixed(s) ? [fixedOut.units, fixedOut.scale] : undefined);
    expect(ok('-12.50')).toEqual([-1250, 2]);
    expect(ok('0')).toEqual([0, 0]);
    expect(ok('-0')).toEqual([0, 0]);
    expect(ok('999999999999999')).toEqual([999999999999999, 0]);
    expect(ok('0.00000000000001')).toEqual([1, 14]);
    for (const s of [
      '',
      '-',
      '1.',
      '.5',
      '+1',
      '1e3',
      '1E3',
      ' 1',
      '1 ',
      '1.2.3',
      '--1',
      '1000000000000000',
      'NaN',
    ])
      expect(ok(s), s).toBeUndefined();
  });
});

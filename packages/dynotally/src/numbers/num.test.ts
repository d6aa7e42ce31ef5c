import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { addNum, Dec, parseNum, toDynamoN } from './num.ts';

const outOfRange = (s: string) => {
  try {
    toDynamoN(new Dec(s));
    return false;
  } catch (e) {
    return isDynotallyError(e, 'NUMBER_OUT_OF_RANGE');
  }
};

describe('toDynamoN', () => {
  it('writes decimals plainly, without trailing zeros', () => {
    expect(toDynamoN(new Dec('12.50'))).toBe('12.5');
    expect(toDynamoN(new Dec('-0.001'))).toBe('-0.001');
    expect(toDynamoN(new Dec('1e29'))).toBe(`1${'0'.repeat(29)}`);
    expect(toDynamoN(new Dec('0'))).toBe('0');
  });

  it('accepts 38 significant digits and the edges of the magnitude range', () => {
    expect(outOfRange(`0.${'1'.repeat(38)}`)).toBe(false);
    expect(outOfRange('9.9e37')).toBe(false); // 38 digits with the integer's zeros
    expect(outOfRange('1e-130')).toBe(false);
    // trailing zeros are not significant: DynamoDB stores 1e38 (one digit)
    expect(outOfRange(`1${'0'.repeat(38)}`)).toBe(false);
    expect(outOfRange('1e38')).toBe(false);
    expect(outOfRange(`${'9'.repeat(38)}000`)).toBe(false);
  });

  it('rejects 39 significant digits and magnitudes outside 1e-130..1e126', () => {
    expect(outOfRange(`0.${'1'.repeat(39)}`)).toBe(true);
    expect(outOfRange(`1${'0'.repeat(37)}1`)).toBe(true); // 39 significant digits, integer
    expect(outOfRange('1e126')).toBe(true);
    expect(outOfRange('-1e126')).toBe(true);
    expect(outOfRange('1e-131')).toBe(true);
  });
});

describe('addNum', () => {
  it('stays exact and returns plain numbers for safe integers', () => {
    expect(String(addNum(parseNum('0.1'), parseNum('0.2')))).toBe('0.3');
    expect(addNum(parseNum('0.5'), parseNum('0.5'))).toBe(1);
    expect(String(addNum(Number.MAX_SAFE_INTEGER, 1))).toBe('9007199254740992');
    expect(addNum(parseNum('12345678901234.5'), parseNum('0.5'))).toBe(12345678901235);
  });

  // A batch that takes an item from -1e125 to -1e-130 coalesces to the delta -(1e125 + 1e-130): 256 digits. At
  // 60 digits it rounded to -1e125, which DynamoDB took, and the row lost the -1e-130 without a word; exact, the
  // delta is refused (NUMBER_OUT_OF_RANGE) and the write path resolves the row record by record.
  it('is exact across the whole range of DynamoDB numbers: a delta that cannot be written is refused, not rounded', () => {
    const delta = addNum(parseNum('-1e125'), parseNum('-1e-130'));
    expect(String(addNum(delta, parseNum('1e125')))).toBe('-1e-130');
    expect(() => toDynamoN(delta)).toThrow(/does not fit a DynamoDB number/);
  });
});

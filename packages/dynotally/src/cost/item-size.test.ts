import { describe, expect, it } from 'vitest';
import { attributeValueSize, itemSizeBytes, numberSize, utf8Length } from './item-size.ts';

describe('itemSizeBytes (AWS sizing rules)', () => {
  it('matches the AWS developer guide example: shirt-color R + shirt-size M = 23 bytes', () => {
    expect(itemSizeBytes({ 'shirt-color': { S: 'R' }, 'shirt-size': { S: 'M' } })).toBe(23);
  });

  it('matches the widely used item-size calculator example (141 bytes)', () => {
    const item = {
      itemType: { S: 'SLOT' },
      id: { S: 'abc1231' },
      hostName: { S: 'Harry Mason' },
      timeSlot: { S: 'February 23, 1999' },
      slotStatus: { S: 'OPEN' },
      createdAt: { S: 'February 1, 1999' },
      updatedAt: { S: 'February 1, 1999' },
      expiresAt: { N: '2099' },
    };
    expect(itemSizeBytes(item)).toBe(141);
  });

  it('counts names and strings in UTF-8 bytes', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('ñ')).toBe(2);
    expect(utf8Length('日本')).toBe(6);
    expect(utf8Length('😀')).toBe(4);
    expect(itemSizeBytes({ ñ: { S: '😀' } })).toBe(6);
  });

  it('counts booleans and null as 1 byte, binary by raw length (also base64 from Lambda images)', () => {
    expect(attributeValueSize({ BOOL: false })).toBe(1);
    expect(attributeValueSize({ NULL: true })).toBe(1);
    expect(attributeValueSize({ B: new Uint8Array(5) })).toBe(5);
    expect(attributeValueSize({ B: 'AQIDBAU=' } as never)).toBe(5);
  });

  it('gives lists and maps 3 bytes plus 1 per element; map keys count like names', () => {
    expect(itemSizeBytes({ a: { L: [] } })).toBe(1 + 3);
    expect(itemSizeBytes({ a: { M: {} } })).toBe(1 + 3);
    expect(attributeValueSize({ L: [{ S: 'ab' }, { N: '7' }, { BOOL: false }] })).toBe(
      3 + (1 + 2) + (1 + 2) + (1 + 1),
    );
    expect(attributeValueSize({ M: { x: { S: 'ab' }, yy: { N: '12' } } })).toBe(
      3 + (1 + 1 + 2) + (1 + 2 + 2),
    );
  });

  it('sums the elements of sets', () => {
    expect(attributeValueSize({ SS: ['ab', 'cde'] })).toBe(5);
    expect(attributeValueSize({ NS: ['1', '23', '456'] })).toBe(2 + 2 + 3);
    expect(attributeValueSize({ BS: [new Uint8Array(1), new Uint8Array(2)] })).toBe(3);
  });
});

describe('numberSize', () => {
  it('is 1 byte per two significant digits plus 1 for integers, trimming zeros', () => {
    expect(numberSize('0')).toBe(1);
    expect(numberSize('7')).toBe(2);
    expect(numberSize('12')).toBe(2);
    expect(numberSize('123')).toBe(3);
    expect(numberSize('2099')).toBe(3);
    expect(numberSize('1000')).toBe(2);
    expect(numberSize('100')).toBe(2);
    expect(numberSize('12345678901234567890123456789012345678')).toBe(20);
  });

  it('aligns digit pairs on the decimal point (measured against ConsumedCapacity)', () => {
    expect(numberSize('1.5')).toBe(3); // 01 . 50
    expect(numberSize('1.50')).toBe(3);
    expect(numberSize('12.3')).toBe(3); // 12 . 30
    expect(numberSize('0.001')).toBe(2); // . 00 10
    expect(numberSize('0.0015')).toBe(2); // . 00 15
    expect(numberSize('123.456')).toBe(5); // 01 23 . 45 60
    expect(numberSize('1E+5')).toBe(2); // 10 00 00
    expect(numberSize('5e-1')).toBe(2); // . 50
  });

  it('adds a byte for negative numbers below 20 digit pairs', () => {
    expect(numberSize('-1')).toBe(3);
    expect(numberSize('-123')).toBe(4);
    expect(numberSize('-12345678901234567890123456789012345678')).toBe(21);
    expect(numberSize('-1.2345678901234567890123456789012345678')).toBe(21); // 20 pairs: no terminator
  });
});

import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { hasScannedTime } from './scanned-time.ts';

const timed = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { n: count() },
}).compiled;
const untimed = defineRollup({
  name: 'u',
  groupBy: 'storeId',
  granularities: ['day'],
  measures: { n: count() },
}).compiled;

describe('hasScannedTime', () => {
  it('is true for a present, non-NULL time attribute only', () => {
    expect(hasScannedTime(timed, { t: { N: '1764000000000' } })).toBe(true);
    expect(hasScannedTime(timed, { t: { S: 'not a time' } })).toBe(true); // present: the fold refuses it
    expect(hasScannedTime(timed, { t: { NULL: true } })).toBe(false);
    expect(hasScannedTime(timed, {})).toBe(false);
    expect(hasScannedTime(untimed, { t: { N: '1' } })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { checkFilter } from './letter-filter.ts';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isDynotallyError(e, 'CONFIG_INVALID')) return e.message;
    throw e;
  }
  throw new Error('not refused');
};

// Review s42x: a since / until past what a Date holds (±8.64e15 ms) passed the finite check, and a window of two of
// them threw a bare RangeError from the message's toISOString instead of CONFIG_INVALID. Fixed: checkFilter refuses
// an instant past ±8.64e15 (letter-filter.ts).
describe('checkFilter: instants', () => {
  it('refuses a since or until past what a Date holds, as CONFIG_INVALID', () => {
    expect(refusal(() => checkFilter({ since: 1e17, until: 1e16 }))).toMatch(/^since must be an instant/);
    expect(refusal(() => checkFilter({ until: -1e16 }))).toMatch(/^until must be an instant/);
    expect(refusal(() => checkFilter({ since: Number.NaN }))).toMatch(/^since must be an instant/);
    expect(() => checkFilter({ since: -8.64e15, until: 8.64e15 })).not.toThrow();
    expect(refusal(() => checkFilter({ since: 2, until: 1 }))).toMatch(/is not before until/);
  });
});

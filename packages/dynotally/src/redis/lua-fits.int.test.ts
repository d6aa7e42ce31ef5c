import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../../test/oracle/decimal.ts';
import { useRedis } from '../../../../test/support/use-redis.ts';
import { LUA_DECIMAL } from './lua-decimal.ts';
import { LUA_FITS } from './lua-fits.ts';
import { LuaScript } from './lua-script.ts';

// dfits is checked against decimal.js (independent of src/numbers): DynamoDB keeps 38 significant digits and a
// magnitude of 1e-130 … below 1e126.
const FITS = new LuaScript(`${LUA_DECIMAL}${LUA_FITS}\nreturn dfits(dadd(ARGV[1], ARGV[2])) and 1 or 0`);
const AFTER = new LuaScript(`${LUA_DECIMAL}${LUA_FITS}
local staged, pending = {}, {}
local id, v = cellAfter(staged, pending, KEYS[1], 'f', ARGV[1])
staged[id] = v
local _, w = cellAfter(staged, pending, KEYS[1], 'f', ARGV[2])
return w`);

const fits = (d: Decimal): boolean =>
  d.isZero() ||
  (d.precision(false) <= 38 && d.abs().lt(new Decimal('1e126')) && d.abs().gte(new Decimal('1e-130')));

const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{0,${max}}$`));
const decimalArb = fc
  .tuple(fc.boolean(), digits(45), digits(45))
  .map(([neg, i, f]) => `${neg ? '-' : ''}${i || '0'}${f === '' ? '' : `.${f}`}`);

describe('dfits: does a sum fit a DynamoDB number', () => {
  const redis = useRedis();

  it('agrees with decimal.js on sums of up to 90 digits', async () => {
    await fc.assert(
      fc.asyncProperty(decimalArb, decimalArb, async (a, b) => {
        const got = (await FITS.run(redis(), [], [a, b])) === 1;
        expect(got).toBe(fits(new Decimal(a).plus(b)));
      }),
      { numRuns: 500 },
    );
  });

  it('edge cases: 38 digits, trailing and leading zeros, the magnitude limits', async () => {
    const big = '1'.padEnd(126, '0'); // 1e125
    const cases: Array<[string, string, boolean]> = [
      ['100000000000000000000', '0.0000000000000000001', false], // 40 digits: the review's case
      ['100000000000000000000', '5', true],
      ['12345678901234567890123456789012345678', '0', true], // 38
      ['12345678901234567890123456789012345678', '1', true],
      ['12345678901234567890123456789012345678', '0.1', false], // 39
      ['99999999999999999999999999999999999999', '1', true], // 1e38: one digit
      [`${big}`, '0', true],
      [`9${big}`, '0', false], // 9e125 is fine, 9…0 with 126 zeros is 9e126
      [`0.${'0'.repeat(129)}1`, '0', true], // 1e-130
      [`0.${'0'.repeat(130)}1`, '0', false], // 1e-131
      ['-5', '5', true],
    ];
    for (const [a, b, want] of cases)
      expect([a.slice(0, 20), b, (await FITS.run(redis(), [], [a, b])) === 1]).toEqual([
        a.slice(0, 20),
        b,
        want,
      ]);
  });

  it('cellAfter adds on top of a staged value, else what Redis holds, exactly', async () => {
    await redis().hset('cf', 'f', '99999999999999');
    expect(await AFTER.run(redis(), ['cf'], ['1', '2'])).toBe('100000000000002');
    expect(await AFTER.run(redis(), ['cf'], ['0.5', '-99999999999999.5'])).toBe('0');
    expect(await AFTER.run(redis(), ['cf-none'], ['-7', '2'])).toBe('-5');
  });
});

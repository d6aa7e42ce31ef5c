import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../../test/oracle/decimal.ts';
import { useRedis } from '../../../../test/support/use-redis.ts';
import { LUA_DECIMAL } from './lua-decimal.ts';
import { LuaScript } from './lua-script.ts';

// The Lua adder is checked against decimal.js (100 significant digits, independent of src/numbers).
const ADD = new LuaScript(`${LUA_DECIMAL}\nreturn dadd(ARGV[1], ARGV[2])`);
const FIELD = new LuaScript(`${LUA_DECIMAL}
for i = 2, #ARGV do addField(KEYS[1], 'f', ARGV[i]) end
return redis.call('HGET', KEYS[1], 'f') or false`);

const canonical = (d: Decimal) => (d.isZero() ? '0' : d.toFixed());

const decimalArb = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^[0-9]{0,40}$/),
    fc.stringMatching(/^[0-9]{0,20}$/),
    fc.constantFrom('', '0', '00'),
  )
  .map(([neg, i, f, pad]) => `${neg ? '-' : ''}${pad}${i || '0'}${f === '' ? '' : `.${f}`}`);

const deltaArb = fc.oneof(
  fc
    .integer({ min: -1000, max: 1000 })
    .filter((n) => n !== 0)
    .map(String),
  fc
    .bigInt({ min: -(2n ** 63n), max: 2n ** 63n })
    .filter((n) => n !== 0n)
    .map(String),
  decimalArb.filter((s) => !new Decimal(s).isZero()),
);

describe('exact decimals in Redis Lua', () => {
  const redis = useRedis();

  it('dadd adds any two decimals of up to 60 digits exactly, in canonical form', async () => {
    await fc.assert(
      fc.asyncProperty(decimalArb, decimalArb, async (a, b) => {
        const got = await ADD.run(redis(), [], [a, b]);
        expect(got).toBe(canonical(new Decimal(a).plus(b)));
      }),
      { numRuns: 400 },
    );
  });

  it('edge cases: carries, borrows, signs and zeros', async () => {
    const cases: Array<[string, string, string]> = [
      ['0.1', '0.2', '0.3'],
      ['999.999', '0.001', '1000'],
      ['-1', '1', '0'],
      ['-0.5', '0.25', '-0.25'],
      ['1000', '-0.001', '999.999'],
      ['12345678901234567890123456789012345678', '1', '12345678901234567890123456789012345679'],
      ['0', '-0', '0'],
      ['-0.000', '5', '5'],
    ];
    for (const [a, b, want] of cases) expect(await ADD.run(redis(), [], [a, b])).toBe(want);
  });

  it('addField keeps a hash field exact across HINCRBY and decimal paths, overflow included, and deletes zeros', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(deltaArb, { minLength: 1, maxLength: 8 }), async (deltas) => {
        const key = `t:${n++}`;
        const got = await FIELD.run(redis(), [key], ['x', ...deltas]);
        const sum = deltas.reduce((acc, d) => acc.plus(d), new Decimal(0));
        expect(got).toBe(sum.isZero() ? null : canonical(sum));
      }),
      { numRuns: 300 },
    );
  });
});

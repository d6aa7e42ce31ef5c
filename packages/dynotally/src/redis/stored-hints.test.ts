import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, dynamoNumberProblem, parseNum } from '../numbers/index.ts';
import { isWideNumber, storedRowOf } from './stored-hints.ts';

describe('isWideNumber', () => {
  it('is true from 1e16 up and past 16 decimals, false for zero and ordinary amounts', () => {
    expect(isWideNumber('100000000000000000000')).toBe(true);
    expect(isWideNumber('10000000000000000')).toBe(true); // 1e16
    expect(isWideNumber('-10000000000000000')).toBe(true);
    expect(isWideNumber('9999999999999999')).toBe(false); // 16 digits
    expect(isWideNumber('0.0000000000000001')).toBe(false); // 16 decimals
    expect(isWideNumber('0.00000000000000001')).toBe(true); // 17
    expect(isWideNumber('1234.5678')).toBe(false);
    expect(isWideNumber('0')).toBe(false);
  });

  it('two values that are not wide always add up to a DynamoDB number (why narrow values need no hint)', () => {
    const narrow = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,16}$/), fc.stringMatching(/^[0-9]{0,16}$/))
      .map(([neg, i, f]) => `${neg ? '-' : ''}${i}${f === '' ? '' : `.${f}`}`)
      .filter((s) => !isWideNumber(s));
    fc.assert(
      fc.property(narrow, narrow, (a, b) => {
        expect(dynamoNumberProblem(new Dec(a).plus(b))).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('storedRowOf: which narrow values the write may have made narrow', () => {
  const M = '001795352460000';
  const row = (adds: Array<readonly [string, string]>) => ({
    pk: 'money#sg',
    sk: 'ALL',
    adds: adds.map(([a, d]) => [a, parseNum(d)] as const),
  });

  it('its own write (the marker at this part): those whose value less the delta was wide', () => {
    const r = storedRowOf(
      row([
        ['total', '-9999999999999999999995'],
        ['n', '1'],
        ['fee', '-2'],
      ]),
      { _fb: { S: M }, total: { N: '5' }, n: { N: '3' }, fee: { N: '1e20' } },
      M,
    );
    // total was 1e22: narrowed; n was 2 and fee is wide now (a hint, not a removal): neither
    expect(r).toEqual({
      pk: 'money#sg',
      sk: 'ALL',
      marker: M,
      values: [
        ['total', '5'],
        ['n', '3'],
        ['fee', '1e20'],
      ],
      narrowed: new Set(['total']),
    });
  });

  it('a part refused at the marker changed no value: none; another write past it, or no marker: every one', () => {
    const adds = row([['total', '-9999999999999999999995']]);
    const refused = { _fb: { S: M }, _fr: { S: M }, total: { N: '5' } };
    expect(storedRowOf(adds, refused, M).narrowed).toEqual(new Set());
    const past = { _fb: { S: '001795356060000' }, total: { N: '5' } };
    expect(storedRowOf(adds, past, M)).toMatchObject({ marker: '001795356060000', narrowed: 'all' });
    expect(storedRowOf(adds, { total: { N: '5' } }, M)).toMatchObject({ marker: M, narrowed: 'all' });
  });

  it('agrees with the exact difference for deltas of every kind (safe integers, short decimals, wide ones)', () => {
    const num = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[1-9][0-9]{0,19}$/),
        fc.stringMatching(/^[0-9]{0,18}$/),
        fc.integer({ min: -3, max: 3 }),
      )
      .map(([neg, i, f, e]) => `${neg ? '-' : ''}${i}${f === '' ? '' : `.${f}`}${e === 0 ? '' : `e${e}`}`)
      .filter((s) => dynamoNumberProblem(new Dec(s)) === undefined);
    fc.assert(
      fc.property(num, num, (value, delta) => {
        fc.pre(!isWideNumber(value));
        const r = storedRowOf(row([['total', delta]]), { _fb: { S: M }, total: { N: value } }, M);
        const before = new Dec(value).minus(new Dec(delta)).toFixed();
        expect((r.narrowed as Set<string>).has('total')).toBe(isWideNumber(before));
      }),
      { numRuns: 500 },
    );
  });
});

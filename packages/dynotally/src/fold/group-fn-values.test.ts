// A groupBy function's values are group values (a string, a finite number, a bigint, a boolean, or a number's text
// as { N }), as a query takes them. Anything else was keyed by calling its toFixed(): null, undefined, a Date or a
// plain object failed the record with "folding the record failed: Cannot read properties of null (reading
// 'toFixed')", and an object that has a toFixed (a decimal.js or big.js number) was counted under the text it
// printed, unchecked, in a group no query can name (a query refuses such an object). Now each is VALUE_INVALID
// naming the attribute and what it held, and leaves no trace.
import { describe, expect, it } from 'vitest';
import { foldedRows, insertOf } from '../../../../test/support/group-fold.ts';
import { count, defineRollup } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

let value: unknown;
const rollups = [
  defineRollup({ name: 'byAttr', groupBy: 'g', granularities: ['all'], measures: { n: count() } }),
  defineRollup({
    name: 'byFn',
    groupBy: (item) => (item.k === 'bad' ? { v: value as never } : { v: 'ok' }),
    granularities: ['all'],
    measures: { n: count() },
  }),
].map((r) => r.compiled);

const insert = (seq: number, k: string) => insertOf(seq, { g: { S: 'x' }, k: { S: k } });

const rows = foldedRows;

describe('a groupBy function returning a value that is no group value', () => {
  it.each<[string, unknown, RegExp]>([
    ['null', null, /null/],
    ['undefined', undefined, /undefined/],
    ['a Date', new Date(0), /a Date/],
    ['a plain object', { id: 1 }, /an object/],
    ['an array', ['a'], /an array/],
    [
      'a decimal library number (it has a toFixed)',
      { toFixed: () => '1.5', toString: () => '1.5' },
      /an object/,
    ],
    ['a symbol', Symbol('s'), /a symbol/],
  ])('%s is VALUE_INVALID naming the attribute, and leaves no trace', (_label, v, held) => {
    value = v;
    const withPoison = foldBatch(rollups, [insert(1, 'good'), insert(2, 'bad'), insert(3, 'good')]);
    const without = foldBatch(rollups, [insert(1, 'good'), insert(3, 'good')]);
    expect(withPoison.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    const message = withPoison.poison[0]?.error.message ?? '';
    expect(message).toMatch(/rollup 'byFn': its groupBy function returned 'v' as /);
    expect(message).toMatch(held);
    expect(message).toMatch(/a string, a finite number, a bigint, a boolean/);
    expect(withPoison.poison[0]?.error.details).toMatchObject({ rollup: 'byFn', attribute: 'v' });
    expect(rows(withPoison)).toEqual(rows(without));
  });
});

// Attribute names that are members of Object.prototype (constructor, toString, valueOf, __proto__ …): DynamoDB takes
// them like any name, but a stream image is a plain object (Lambda's JSON.parse, the SDK's unmarshalling), so an image
// lacking the attribute found the inherited member. A rollup grouped by 'constructor' dead-lettered every item without
// it as VALUE_INVALID instead of skipping it, a match on 'toString' read the function, and a groupBy function's plain
// item took an attribute '__proto__' as its prototype (its map's entries read as the item's own attributes). The fold
// reads such rollups' images as own attributes only (own-images.ts); toPlain defines '__proto__' as an own property.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { insertOf } from '../../../../test/support/group-fold.ts';
import { toPlain } from '../decode/to-plain.ts';
import { count, defineRollup, sum } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

/** A record as Lambda hands it over: parsed from JSON, so a '__proto__' key is an own property. */
function parsed(record: DynamoDBRecord): DynamoDBRecord {
  return JSON.parse(JSON.stringify(record)) as DynamoDBRecord;
}

function rowsAndLetters(
  rollup: { compiled: Parameters<typeof foldBatch>[0][number] },
  records: DynamoDBRecord[],
) {
  const r = foldBatch([rollup.compiled], records.map(parsed));
  return {
    rows: r.coalescer.rowList().map((a) => ({ pk: a.pk, deltas: a.deltas.map(String) })),
    letters: r.poison.map((p) => `${p.index} ${p.error.code}`),
  };
}

describe('attributes named like Object.prototype members', () => {
  for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
    it(`groupBy '${name}': an item without it is skipped, an item with it counts under its value`, () => {
      const r = defineRollup({ name: 'p', groupBy: name, granularities: ['all'], measures: { n: count() } });
      const out = rowsAndLetters(r, [
        insertOf(1, { other: { S: 'x' } }),
        insertOf(2, { [name]: { S: 'g' } }),
      ]);
      expect(out.letters).toEqual([]);
      expect(out.rows).toEqual([{ pk: 'p#sg', deltas: ['1'] }]);
    });
  }

  it("sum('valueOf') and match on 'toString': absent reads as absent", () => {
    const r = defineRollup({
      name: 'm',
      groupBy: 'g',
      match: { toString: null },
      granularities: ['all'],
      measures: { n: count(), s: sum('valueOf') },
    });
    const out = rowsAndLetters(r, [
      insertOf(1, { g: { S: 'a' } }), // no toString: not null, so no match
      insertOf(2, { g: { S: 'a' }, toString: { NULL: true }, valueOf: { N: '5' } }),
      insertOf(3, { g: { S: 'a' }, toString: { NULL: true } }), // matches; no valueOf: adds nothing to s
    ]);
    expect(out.letters).toEqual([]);
    expect(out.rows).toEqual([{ pk: 'm#sa', deltas: ['2', '5'] }]);
  });

  it("a groupBy function's plain item holds an attribute '__proto__' as its own, not as its prototype", () => {
    const image = JSON.parse('{"__proto__":{"M":{"storeId":{"S":"injected"}}},"n":{"S":"x"}}');
    const plain = toPlain(image);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(plain.storeId).toBeUndefined();
    expect(Object.hasOwn(plain, '__proto__')).toBe(true);
    const r = defineRollup({
      name: 'f',
      groupBy: {
        names: ['storeId'],
        fn: (item) => (item.storeId === undefined ? undefined : { storeId: String(item.storeId) }),
      },
      granularities: ['all'],
      measures: { n: count() },
    });
    const out = rowsAndLetters(r, [
      insertOf(1, { __proto__: { M: { storeId: { S: 'injected' } } } } as never),
    ]);
    expect(out).toEqual({ rows: [], letters: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { itemSizeBytes } from '../cost/item-size.ts';
import { KnownRows } from './known-rows.ts';

const ROW = 'store#s1\u0000H2026-11-22T13:00';

describe('KnownRows', () => {
  it('sizes a row by every attribute written to it, not by the last write', () => {
    const known = new KnownRows();
    expect(known.wrote(ROW, [{ name: 'n_0', bytes: 2, add: true }])).toEqual({ before: 0, after: 5 });
    // a new minute: the row grows by its name and value
    expect(known.wrote(ROW, [{ name: 'n_1', bytes: 2, add: true }])).toEqual({ before: 5, after: 10 });
    // an ADD to a stored number keeps its size; a SET replaces it
    expect(known.wrote(ROW, [{ name: 'n_0', bytes: 4, add: true }])).toEqual({ before: 10, after: 10 });
    expect(known.wrote(ROW, [{ name: 'n_0', bytes: 4 }])).toEqual({ before: 10, after: 12 });
    // removed attributes (finished shards' states) leave it
    expect(known.wrote(ROW, [], ['n_1', 'absent'])).toEqual({ before: 12, after: 7 });
    expect([...(known.get(ROW)?.attrs.keys() ?? [])]).toEqual(['n_0']);
  });

  it('counts fixed-size attributes (keys, updatedAt, ttl) once, when the row becomes known, without naming them', () => {
    const known = new KnownRows();
    const pk = { name: 'pk', bytes: 8, fixed: true };
    expect(known.wrote(ROW, [pk, { name: 'n', bytes: 2, add: true }])).toEqual({ before: 0, after: 13 });
    expect(known.wrote(ROW, [pk, { name: 'n_1', bytes: 2, add: true }])).toEqual({ before: 13, after: 18 });
    expect([...(known.get(ROW)?.attrs.keys() ?? [])]).toEqual(['n', 'n_1']);
  });

  it('takes a returned row whole, with its exact size', () => {
    const known = new KnownRows();
    known.wrote(ROW, [{ name: 'stale', bytes: 100 }]);
    const item = { pk: { S: 'store#s1' }, sk: { S: 'H2026-11-22T13:00' }, n_0: { N: '12' }, lbk: { S: 'x' } };
    known.saw(ROW, item);
    expect(known.get(ROW)?.bytes).toBe(itemSizeBytes(item));
    expect(known.get(ROW)?.attrs.has('stale')).toBe(false);
    expect(known.get(ROW)?.attrs.has('n_0')).toBe(true);
    known.forget(ROW);
    expect(known.get(ROW)).toBeUndefined();
  });
});

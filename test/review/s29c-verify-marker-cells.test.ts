// Fixed (session 29, helper-117): verify reads only real packed cells from a stored row: a take-back marker
// (`x_<12 hex>`) or a legacy watermark (`w_<12 hex>`) is never taken for a cell of a measure stored as `x` or `w`,
// and the packed cells of a measure stored as `w` are compared again.
// Finding: `explodeRow` took any `<storeAs>_<digits>` attribute for a packed cell, and `compareRows` hands it every
// stored attribute but `w_…`. A marker of a record refused for 38 digits is `x_` + 12 hex digits of a hash; in about
// 1 in 280 of them all 12 are decimal digits (the write path knows: "a packed index never has 12 digits",
// apply/prune-hints.ts). On a row of a rollup with a measure stored as `x`, verify then read the marker as the cell of
// minute 123456789012 of an hour row and threw ("time … is not a usable instant": the whole verify fails), or as the
// day `D2026-11-123456789012` of a month row and reported it as drift. In the other direction, skipping every
// `w_…` attribute also skipped the packed cells of a measure stored as `w` (`w_6`): a stored cell the source does not
// explain there was never reported.
// Fix: a packed index has at most 4 digits (minutes of a 25-hour day, a year); `compareRows` leaves out legacy
// watermarks by their exact shape (`w_` + 12 hex), not by the prefix.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { compareRows } from '../../packages/dynotally/src/verify/compare-rows.ts';
import { type ExpectedRow, rowKey } from '../../packages/dynotally/src/verify/expected-rows.ts';
import type { StoredRow } from '../../packages/dynotally/src/verify/stored-rows.ts';

const NOW = Date.UTC(2026, 10, 22, 14);

function compare(
  measure: 'x' | 'w',
  sk: string,
  sums: Record<string, number>,
  stored: Record<string, string>,
) {
  const c = defineRollup({
    name: 'r',
    groupBy: 'g',
    granularities: ['minute', 'hour', 'day', 'month'],
    retention: { minute: 'forever', hour: 'forever' },
    measures: { [measure]: count() },
  }).compiled;
  const kind = c.rows.find(
    (k) => k.row.id === (sk.startsWith('H') ? 'hour' : 'month'),
  ) as ExpectedRow['kind'];
  const pk = 'r#sa';
  const exp: ExpectedRow = {
    pk,
    sk,
    kind,
    bucketEnd: c.calendar.bucketByLabel(sk).end,
    sums: new Map(Object.entries(sums)),
    extrema: new Map(),
  };
  const st: StoredRow = { pk: { S: pk }, sk: { S: sk } };
  for (const [a, v] of Object.entries(stored)) st[a] = { N: v };
  return compareRows(c, new Map([[rowKey(pk, sk), exp]]), new Map([[rowKey(pk, sk), st]]), NOW);
}

describe('attributes of a stored row that are not cells', () => {
  it('a take-back marker whose 12 hex digits are all decimal is no cell of a measure stored as x', () => {
    const marker = { x_123456789012: '1795000000' };
    // an hour row: the marker would be minute 123456789012 (verify threw)
    const hour = compare('x', 'H2026-11-22T13:00', { x: 2, x_5: 2 }, { x: '2', x_5: '2', ...marker });
    expect(hour.drift).toEqual([]);
    expect(hour.cells).toBe(2);
    // a month row: the marker would be the day D2026-11-123456789012 (reported as drift)
    const month = compare('x', 'M2026-11', { x: 2, x_22: 2 }, { x: '2', x_22: '2', ...marker });
    expect(month.drift).toEqual([]);
    expect(month.cells).toBe(2);
  });

  it('a legacy watermark is left out by its shape, so the packed cells of a measure stored as w are compared', () => {
    const watermark = { w_0123456789ab: '1' }; // (a string in a real row; its name is what matters here)
    const month = compare('w', 'M2026-11', { w: 2, w_22: 2 }, { w: '3', w_22: '2', w_23: '1', ...watermark });
    expect(month.drift.map((d) => [d.bucket, d.expected, d.actual])).toEqual([
      ['D2026-11-23', null, '1'],
      ['M2026-11', '2', '3'],
    ]);
  });
});

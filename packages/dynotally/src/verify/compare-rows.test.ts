import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../definition/index.ts';
import { Dec } from '../numbers/index.ts';
import { historyByGranularity } from '../retention/index.ts';
import { compareRows } from './compare-rows.ts';
import { type ExpectedRow, rowKey } from './expected-rows.ts';
import type { StoredRow } from './stored-rows.ts';

const define = (ttlDeletes: 'subtract' | 'ignore') =>
  defineRollup({
    name: 'sessions',
    groupBy: 'storeId',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['all'],
    measures: { n: count(), total: sum('amount') },
    ttlDeletes,
  }).compiled;
const PK = 'sessions#sst-0';
const NOW = Date.UTC(2026, 10, 1);

/** One all-time row recomputed from the source, and the row stored, with these values. */
function rows(
  version: ReturnType<typeof define>,
  expected: { n: number; total: number | Dec },
  stored: string[],
) {
  const exp: ExpectedRow = {
    pk: PK,
    sk: 'ALL',
    kind: version.rows[0] as ExpectedRow['kind'],
    bucketEnd: Number.POSITIVE_INFINITY,
    sums: new Map<string, never>([
      ['n', expected.n as never],
      ['total', expected.total as never],
    ]),
    extrema: new Map(),
  };
  const st: StoredRow = {
    pk: { S: PK },
    sk: { S: 'ALL' },
    n: { N: stored[0] as string },
    total: { N: stored[1] as string },
  };
  return [new Map([[rowKey(PK, 'ALL'), exp]]), new Map([[rowKey(PK, 'ALL'), st]])] as const;
}

describe("compareRows of a rollup with ttlDeletes 'ignore'", () => {
  it('takes a stored count above the recomputed one for kept history, below it for drift; never checks sums', () => {
    const version = define('ignore');
    const above = compareRows(version, ...rows(version, { n: 2, total: 5 }, ['3', '-40']), NOW);
    expect(above.drift).toEqual([]);
    expect(above.unverified).toBe(1); // the sum: an expired amount may be negative
    const below = compareRows(version, ...rows(version, { n: 4, total: 5 }, ['3', '5']), NOW);
    expect(below.drift.map((d) => [d.measure, d.expected, d.actual])).toEqual([['n', '4', '3']]);
  });

  it("checks counts and sums for equality under 'subtract'", () => {
    const version = define('subtract');
    const out = compareRows(version, ...rows(version, { n: 2, total: 5 }, ['3', '-40']), NOW);
    expect(out.drift.map((d) => d.measure)).toEqual(['n', 'total']);
    expect(out.unverified).toBe(0);
  });
});

describe('compareRows of a row whose recomputed sum does not fit a DynamoDB number', () => {
  it('reports the row as uncountable and compares none of its cells', () => {
    const version = define('subtract');
    const total = new Dec('100000000000000000000.00000000000000000001');
    const out = compareRows(version, ...rows(version, { n: 2, total }, ['1', '100000000000000000000']), NOW);
    expect(out.drift).toEqual([]);
    expect(out.unverified).toBe(2);
    expect(out.uncountable).toMatchObject([
      { code: 'NUMBER_UNREPRESENTABLE', row: { pk: PK, sk: 'ALL' }, attr: 'total', value: total.toString() },
    ]);
  });
});

describe('compareRows with a retention history', () => {
  // hours kept 400 days now; a writer kept them 10 days until T (its rows carry that TTL)
  const D = 86_400_000;
  const T = Date.UTC(2026, 5, 10, 9, 20);
  const version = defineRollup({
    name: 'ret',
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['hour'],
    retention: { hour: '400d' },
    measures: { n: count() },
  }).compiled;
  const kind = version.rows[0] as ExpectedRow['kind']; // day rows, the hours packed in them
  const day = version.calendar.bucket(kind.row, T);
  const exp: ExpectedRow = {
    pk: 'ret#sa',
    sk: day.label,
    kind,
    bucketEnd: day.end,
    sums: new Map<string, never>([[`n_${(T - (T % 3_600_000) - day.start) / 60_000}`, 3 as never]]),
    extrema: new Map(),
  };
  const expected = new Map([[rowKey('ret#sa', day.label), exp]]);
  const history = historyByGranularity([
    { granularity: 'hour', retentionMs: 10 * D, firstSeen: T - D, lastSeen: T },
  ]);

  it('takes a row an older, shorter TTL deleted for gone, not for drift', () => {
    const now = T + 20 * D;
    expect(compareRows(version, expected, new Map(), now).drift).toHaveLength(1); // without the history: drift
    const out = compareRows(version, expected, new Map(), now, history);
    expect(out.drift).toEqual([]);
    expect(out.rows).toBe(0);
    // within the shorter retention the row is still checked
    expect(compareRows(version, expected, new Map(), T + 5 * D, history).drift).toHaveLength(1);
  });
});

describe('compareRows of a rollup grouped by a function', () => {
  // the drift's group is keyed by the declared names (verify prints it as `--group` pairs); a plain function's names
  // are not in the key, so it has none, as top()'s entries, and `groupValues` names it (it was keyed by position,
  // `{ '0': 'st-0' }`, before review s41b)
  it.each<[string, Parameters<typeof defineRollup>[0]['groupBy'], Record<string, string> | undefined]>([
    ['with declared names', { names: ['storeId'], fn: () => ({ storeId: 'st-0' }) }, { storeId: 'st-0' }],
    ['without', () => ({ storeId: 'st-0' }), undefined],
  ])('names the drift group %s', (_label, groupBy, group) => {
    const version = defineRollup({
      name: 'sessions',
      groupBy,
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { n: count(), total: sum('amount') },
    }).compiled;
    const out = compareRows(version, ...rows(version, { n: 4, total: 5 }, ['3', '5']), NOW);
    expect(out.drift.map((d) => d.group)).toEqual([group]);
    expect(out.drift.map((d) => d.groupValues)).toEqual([['st-0']]);
  });
});

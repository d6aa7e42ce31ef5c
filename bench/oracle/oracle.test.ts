import { describe, expect, it } from 'vitest';
import type { SourceItem } from '../workload/types.ts';
import {
  bucketLabeler,
  type Canonical,
  canonicalKey,
  computeOracle,
  diffCanonical,
  granularityOfLabel,
} from './index.ts';

const at = (iso: string): number => Date.parse(iso);
const view = (pk: string, storeId: string, iso: string): SourceItem => ({
  pk,
  storeId,
  type: 'view',
  ts: at(iso),
});
const order = (pk: string, storeId: string, iso: string): SourceItem => ({
  pk,
  storeId,
  type: 'order',
  ts: at(iso),
  amount: '10.00',
});

describe('bucketLabeler (Europe/London)', () => {
  const labels = bucketLabeler('Europe/London');

  it('keeps the two 01:30s of the night BST ends apart by hour, on the same day', () => {
    const bst = labels(at('2026-10-25T00:30:00Z')); // 01:30 BST
    const gmt = labels(at('2026-10-25T01:30:00Z')); // 01:30 GMT
    expect(bst).toEqual({
      minute: 'm2026-10-25T00:30',
      hour: 'H2026-10-25T00:00',
      day: 'D2026-10-25',
      month: 'M2026-10',
      year: 'Y2026',
      all: 'ALL',
    });
    expect(gmt.hour).toBe('H2026-10-25T01:00');
    expect(gmt.minute).toBe('m2026-10-25T01:30');
    expect(gmt.day).toBe('D2026-10-25');
  });

  it('puts 23:30 UTC in summer on the next London day, and month', () => {
    expect(labels(at('2026-10-24T23:30:00Z')).day).toBe('D2026-10-25');
    const firstOfOctober = labels(at('2026-09-30T23:30:00Z'));
    expect(firstOfOctober.day).toBe('D2026-10-01');
    expect(firstOfOctober.month).toBe('M2026-10');
    expect(firstOfOctober.hour).toBe('H2026-09-30T23:00');
    expect(firstOfOctober.minute).toBe('m2026-09-30T23:30');
  });

  it('ends October at midnight UTC once GMT is back', () => {
    expect(labels(at('2026-10-31T23:59:59.999Z'))).toMatchObject({ day: 'D2026-10-31', month: 'M2026-10' });
    expect(labels(at('2026-11-01T00:00:00Z'))).toMatchObject({ day: 'D2026-11-01', month: 'M2026-11' });
    expect(labels(at('2026-12-31T23:59:00Z')).year).toBe('Y2026');
    expect(labels(at('2027-01-01T00:00:00Z')).year).toBe('Y2027');
  });

  it('skips 01:00–02:00 local when BST starts', () => {
    expect(labels(at('2026-03-29T00:59:00Z')).hour).toBe('H2026-03-29T00:00'); // 00:59 GMT
    expect(labels(at('2026-03-29T01:00:00Z')).hour).toBe('H2026-03-29T01:00'); // 02:00 BST
  });

  it('labels within a minute alike, and hour starts are whole UTC hours all year', () => {
    expect(labels(at('2026-11-22T13:05:00.000Z'))).toBe(labels(at('2026-11-22T13:05:59.999Z')));
    for (
      let ms = at('2026-01-01T00:17:00Z');
      ms < at('2027-01-01T00:00:00Z');
      ms += 31 * 3_600_000 + 60_000
    ) {
      expect(labels(ms).hour).toMatch(/^H\d{4}-\d\d-\d\dT\d\d:00$/);
      expect(labels(ms).hour.slice(1, 14)).toBe(new Date(ms).toISOString().slice(0, 13));
    }
  });

  it('follows the zone it is given', () => {
    const kolkata = bucketLabeler('Asia/Kolkata')(at('2026-11-22T18:45:00Z')); // 00:15 IST on the 23rd
    expect(kolkata.day).toBe('D2026-11-23');
    expect(kolkata.hour).toBe('H2026-11-22T18:30');
  });
});

describe('computeOracle', () => {
  it('counts orders and views per store, granularity and bucket', () => {
    const expected = computeOracle([
      view('evt#1', 'store-0001', '2026-10-25T00:30:10Z'),
      view('evt#2', 'store-0001', '2026-10-25T00:30:50Z'),
      order('evt#3', 'store-0001', '2026-10-25T01:30:00Z'),
      view('evt#4', 'store-0002', '2026-10-31T23:59:00Z'),
      view('evt#5', 'store-0002', '2026-11-01T00:01:00Z'),
    ]);
    const k = canonicalKey;
    expect(expected.get(k('store-0001', 'minute', 'm2026-10-25T00:30', 'views'))).toBe(2);
    expect(expected.get(k('store-0001', 'hour', 'H2026-10-25T00:00', 'views'))).toBe(2);
    expect(expected.get(k('store-0001', 'hour', 'H2026-10-25T01:00', 'orders'))).toBe(1);
    expect(expected.get(k('store-0001', 'day', 'D2026-10-25', 'views'))).toBe(2);
    expect(expected.get(k('store-0001', 'day', 'D2026-10-25', 'orders'))).toBe(1);
    expect(expected.get(k('store-0001', 'all', 'ALL', 'orders'))).toBe(1);
    expect(expected.get(k('store-0002', 'month', 'M2026-10', 'views'))).toBe(1);
    expect(expected.get(k('store-0002', 'month', 'M2026-11', 'views'))).toBe(1);
    expect(expected.get(k('store-0002', 'year', 'Y2026', 'views'))).toBe(2);
    expect(expected.get(k('store-0002', 'all', 'ALL', 'orders'))).toBeUndefined();
    // 5 items; store-0001's two views share every bucket; everything else has its own minute.
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBe(5 * 6);
    expect([...expected.values()].every((v) => v > 0)).toBe(true);
    for (const key of expected.keys()) {
      const [, granularity, label] = key.split('|');
      expect(granularityOfLabel(label!)).toBe(granularity);
    }
  });

  it('is empty for no items', () => {
    expect(computeOracle([]).size).toBe(0);
  });
});

describe('diffCanonical', () => {
  it('reports every key that differs, treating a missing key as zero', () => {
    const expected: Canonical = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const actual: Canonical = new Map([
      ['b', 4],
      ['c', 1],
      ['d', 0],
    ]);
    expect(diffCanonical(expected, actual)).toEqual([
      { key: 'a', expected: 1, actual: 0 },
      { key: 'b', expected: 2, actual: 4 },
      { key: 'c', expected: 0, actual: 1 },
    ]);
    expect(diffCanonical(expected, new Map(expected))).toEqual([]);
  });
});

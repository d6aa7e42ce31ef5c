import { describe, expect, it } from 'vitest';
import { daysFromCivil } from './civil.ts';
import { dayLabel, instantLabel, monthLabel, parseLabel, weekLabel, yearLabel } from './labels.ts';

describe('bucket labels', () => {
  it('formats every kind', () => {
    const t = Date.UTC(2026, 10, 22, 13, 5, 9);
    expect(instantLabel('s', t)).toBe('s2026-11-22T13:05:09');
    expect(instantLabel('m', Date.UTC(2026, 10, 22, 13, 5))).toBe('m2026-11-22T13:05');
    // a local-mean-time minute (Africa/Monrovia, −00:44:30) starts 30 s into a UTC minute
    expect(instantLabel('m', Date.UTC(1971, 5, 1, 10, 43, 30))).toBe('m1971-06-01T10:43:30');
    expect(instantLabel('H', Date.UTC(2026, 10, 22, 12, 15))).toBe('H2026-11-22T12:15');
    expect(instantLabel('q', Date.UTC(2026, 10, 22, 12, 15, 30))).toBe('q2026-11-22T12:15:30');
    expect(dayLabel(daysFromCivil(2026, 11, 22))).toBe('D2026-11-22');
    expect(weekLabel(daysFromCivil(2026, 11, 16))).toBe('W2026-W47');
    expect(monthLabel(2026, 1)).toBe('M2026-01');
    expect(yearLabel(987)).toBe('Y0987');
  });

  it('parses canonical labels back', () => {
    for (const label of [
      'ALL',
      's2026-11-22T13:05:09',
      'm2026-11-22T13:05',
      'm1971-06-01T10:43:30',
      'H2026-11-22T12:15',
      'q1972-01-07T00:44:30',
      'D2026-11-22',
      'W2026-W53',
      'W2020-W53',
      'M2026-11',
      'Y0001',
      'Y9998',
    ]) {
      expect(parseLabel(label), label).toBeDefined();
    }
    expect(parseLabel('W2026-W47')).toEqual({ kind: 'week', monday: daysFromCivil(2026, 11, 16) });
  });

  it.each([
    '',
    'all',
    'D2026-02-29',
    'D2026-13-01',
    'D2026-11-22T00:00',
    'W2025-W53',
    'W2026-W00',
    'W2026-W5',
    'M2026-00',
    'M2026-1',
    'Y0000',
    'Y9999',
    'Y12345',
    'H2026-11-22T24:00',
    'H2026-11-22T12:15:00',
    'H2026-11-22T12',
    'm2026-11-22T13:05:00',
    's2026-11-22T13:05',
    'x2026',
    'D2026-11-22 ',
  ])('rejects %j', (label) => {
    expect(parseLabel(label)).toBeUndefined();
  });

  it('sorts hour labels with and without seconds in time order', () => {
    const starts = [Date.UTC(1972, 0, 7, 0, 0), Date.UTC(1972, 0, 7, 0, 44, 30), Date.UTC(1972, 0, 7, 1, 0)];
    const labels = starts.map((s) => instantLabel('H', s));
    expect([...labels].sort()).toEqual(labels);
  });
});

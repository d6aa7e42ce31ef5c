import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { refOffsetMs, refTransitions } from './testing/temporal-reference.ts';
import { ZoneOffsets } from './zone-offsets.ts';

const FROM = Date.UTC(1971, 0, 1);
const TO = Date.UTC(2101, 0, 1);
const ZONES = [
  'Europe/London',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Havana',
];
const offsetsOf = (zone: string) => new ZoneOffsets(IANAZone.create(zone));

describe('ZoneOffsets', () => {
  it.each(ZONES)('matches Temporal at random instants in %s', (zone) => {
    const offsets = offsetsOf(zone);
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO - 1 }), (t) => {
        expect(offsets.offsetMs(t)).toBe(refOffsetMs(zone, t));
      }),
      { numRuns: 400 },
    );
  });

  // Offset changes not on a 15-minute UTC boundary: St John's and Goose Bay switched at 00:01 local
  // (1987–1999), Moncton 1993–1999; Monrovia left −0:44:30 at 00:44:30Z in 1972.
  it.each([
    ['America/St_Johns', Date.UTC(1987, 0, 1), Date.UTC(2000, 0, 1)],
    ['America/Goose_Bay', Date.UTC(1987, 0, 1), Date.UTC(2000, 0, 1)],
    ['America/Moncton', Date.UTC(1993, 0, 1), Date.UTC(2000, 0, 1)],
    ['Africa/Monrovia', Date.UTC(1971, 0, 1), Date.UTC(1973, 0, 1)],
    ['Europe/London', Date.UTC(2020, 0, 1), Date.UTC(2031, 0, 1)],
    ['Australia/Lord_Howe', Date.UTC(2020, 0, 1), Date.UTC(2031, 0, 1)],
    ['America/Havana', Date.UTC(2020, 0, 1), Date.UTC(2031, 0, 1)],
  ])('is exact to the millisecond around every transition of %s', (zone, from, to) => {
    const offsets = offsetsOf(zone);
    const transitions = refTransitions(zone, from, to);
    expect(transitions.length).toBeGreaterThan(0);
    for (const tr of transitions) {
      for (const t of [tr - 1000, tr - 1, tr, tr + 1, tr + 60_000]) {
        expect(offsets.offsetMs(t), `${zone} at ${new Date(t).toISOString()}`).toBe(refOffsetMs(zone, t));
      }
      // findChange locates it from either side of a short window.
      expect(offsets.findChange(tr - 3_600_000, tr + 3_600_000)).toBe(tr);
      expect(offsets.findChange(tr - 1, tr)).toBe(tr);
      expect(offsets.findChange(tr - 50 * 3_600_000, tr + 7_000)).toBe(tr);
    }
  });

  it('finds the first instant of a wall time across gaps and folds', () => {
    const london = offsetsOf('Europe/London');
    // 2026-03-29 01:30 local does not exist (gap 01:00→02:00): the gap's end.
    expect(london.wallToInstant(Date.UTC(2026, 2, 29, 1, 30))).toBe(Date.UTC(2026, 2, 29, 1, 0));
    // 2026-10-25 01:30 local happens twice: the first, still BST.
    expect(london.wallToInstant(Date.UTC(2026, 9, 25, 1, 30))).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(london.wallToInstant(Date.UTC(2026, 9, 25, 2, 0))).toBe(Date.UTC(2026, 9, 25, 2, 0));
  });
});

import { describe, expect, it } from 'vitest';
import { refTransitions, refWallBucket, refWallBucketByOffsets } from './temporal-reference.ts';

// The all-zones sweep uses the quick wall-bucket reference; it must equal the one built on Temporal's own
// transition search, at and around transitions (gaps, overlaps, 30- and 45-minute offsets, a 30-minute DST
// shift, a change off the quarter hour) and far from any.
const RANGES: readonly [string, number, number][] = [
  ['Europe/London', 2011, 2012],
  ['America/St_Johns', 1990, 1990], // changes at 00:01 local, 03:31Z
  ['Australia/Lord_Howe', 2011, 2011], // a 30-minute DST shift
  ['Pacific/Chatham', 2011, 2011],
  ['America/Havana', 2011, 2011], // midnight skipped
  ['Pacific/Apia', 2011, 2011], // a whole day skipped
];
const SIZES = [
  ['H', 3_600_000],
  ['q', 1_800_000],
] as const;

describe('refWallBucketByOffsets', () => {
  it('equals refWallBucket around transitions of zones with odd offsets and changes, and far from any', () => {
    let checked = 0;
    for (const [zone, from, to] of RANGES) {
      const transitions = refTransitions(zone, Date.UTC(from, 0, 1), Date.UTC(to + 1, 0, 1));
      expect(transitions.length, zone).toBeGreaterThan(0);
      const instants = zone === 'Europe/London' ? [Date.UTC(2087, 1, 28, 5, 45)] : [];
      for (const tr of transitions) instants.push(tr - 1, tr, tr + 25 * 60_000, tr - 20 * 60_000);
      for (const t of instants) {
        for (const [prefix, size] of SIZES) {
          const at = `${zone} ${new Date(t).toISOString()} ${size}`;
          expect(refWallBucketByOffsets(zone, prefix, size, t), at).toEqual(
            refWallBucket(zone, prefix, size, t),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(80);
  });
});

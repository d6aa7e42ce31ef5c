// Test-only: instants for property tests, biased towards the places where time zones misbehave.
import fc from 'fast-check';
import { refTransitions } from './temporal-reference.ts';

export const FROM = Date.UTC(1971, 0, 1);
export const TO = Date.UTC(2101, 0, 1);

const transitionCache = new Map<string, number[]>();

/** Every offset transition of `zone` between 1971 and 2100 (Temporal's view), cached. */
export function transitionsOf(zone: string): number[] {
  let list = transitionCache.get(zone);
  if (list === undefined) {
    list = refTransitions(zone, FROM, TO);
    transitionCache.set(zone, list);
  }
  return list;
}

const HOUR = 3_600_000;

/**
 * Instants in 1971–2100 for `zone`: uniformly random ones, ones within ±2 h of an offset transition
 * (including exactly on it and one millisecond either side), and ones within a second of a local
 * midnight. The local midnights are computed naively (UTC midnight minus the offset a day earlier).
 */
export function instantIn(zone: string): fc.Arbitrary<number> {
  const uniform = fc.integer({ min: FROM, max: TO - 1 });
  const transitions = transitionsOf(zone);
  const nearMidnight = fc
    .tuple(
      fc.integer({ min: 0, max: Math.floor((TO - FROM) / 86_400_000) - 2 }),
      fc.integer({ min: -14, max: 14 }),
    )
    .chain(([day, hours]) =>
      fc.integer({ min: -1000, max: 1000 }).map((ms) => FROM + day * 86_400_000 + hours * HOUR + ms),
    )
    .filter((t) => t >= FROM && t < TO);
  if (transitions.length === 0) return fc.oneof(uniform, nearMidnight);
  const nearTransition = fc
    .tuple(
      fc.integer({ min: 0, max: transitions.length - 1 }),
      fc.oneof(fc.integer({ min: -2 * HOUR, max: 2 * HOUR }), fc.constantFrom(-1, 0, 1)),
    )
    .map(([i, delta]) => transitions[i]! + delta)
    .filter((t) => t >= FROM && t < TO);
  return fc.oneof(uniform, nearTransition, nearMidnight);
}

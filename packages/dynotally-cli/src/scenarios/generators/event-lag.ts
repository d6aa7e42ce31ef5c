import type { Random } from './prng.ts';

/**
 * How long before its write an event happened, in ms: most events are written within 2 s, some arrive
 * minutes late (a mobile client that was offline), a few up to an hour late — late events land in their
 * own (older) bucket.
 *
 * @example
 * ```ts
 * const createdAt = now - eventLagMs(random);
 * ```
 */
export function eventLagMs(random: Random): number {
  const u = random.next();
  if (u < 0.92) return Math.floor(random.next() * 2_000);
  if (u < 0.99) return 2_000 + Math.floor(random.next() * 298_000);
  return 300_000 + Math.floor(random.next() * 3_300_000);
}

/**
 * A unique-enough id for a generated item: the wall time in base 36 and a per-generator counter, so two
 * runs against the same table do not collide and the same seed and clock give the same ids.
 *
 * @example
 * ```ts
 * const ids = idFactory('j');
 * ids(Date.now()); // 'j-mbx3k1f0-1'
 * ```
 */
export function idFactory(prefix: string): (now: number) => string {
  let n = 0;
  return (now) => {
    n += 1;
    return `${prefix}-${Math.floor(now).toString(36)}-${n.toString(36)}`;
  };
}

/**
 * A past instant in `[now - spanMs, now)` whose local hour follows a day/night curve (more events in the
 * afternoon than at 4 a.m.), by rejection sampling on the UTC offset given.
 *
 * @example
 * ```ts
 * const t = diurnalPast(random, now, 23 * 3_600_000);
 * ```
 */
export function diurnalPast(random: Random, now: number, spanMs: number, offsetMs = 0): number {
  for (;;) {
    const t = now - 1 - Math.floor(random.next() * spanMs);
    const hour = ((((t + offsetMs) / 3_600_000) % 24) + 24) % 24;
    const weight = 0.25 + 0.75 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
    if (random.next() < weight) return t;
  }
}

/**
 * A seeded pseudo-random source: the same seed gives the same sequence of draws, so a scenario run can
 * be replayed. Mulberry32 — 32 bits of state, good enough for workload shapes (not for cryptography).
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random.next(); // 0.6011037519201636, every time
 * random.int(1, 6); // a die roll
 * ```
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A normally distributed float (Box–Muller). */
  normal(mean: number, sd: number): number;
}

/**
 * A {@link Random} seeded with `seed` (any 32-bit integer).
 *
 * @example
 * ```ts
 * const a = seededRandom(7).next();
 * const b = seededRandom(7).next(); // a === b
 * ```
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    normal: (mean, sd) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

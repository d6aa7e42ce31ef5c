/**
 * mulberry32: a tiny, fast 32-bit PRNG (Tommy Ettinger's, public domain). Same seed, same sequence,
 * on every machine, which is all a benchmark workload needs; not for cryptography.
 *
 * @example
 * ```ts
 * const next = mulberry32(20261025);
 * next(); // a float in [0, 1)
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

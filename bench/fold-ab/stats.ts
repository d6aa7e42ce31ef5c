// The statistics of bench/fold-ab.ts: the per-round ratios' geometric mean with a Student's t interval over rounds
// (the figure a lever is judged by), and the pooled ratio of summed CPU over blocks of batches with a two-level
// bootstrap (rounds, then blocks within a round), reported beside it.
import { mulberry32 } from '../workload/index.ts';

/** One block of consecutive batches of one round: each side's summed cost (any unit, the same for both). */
export interface Block {
  a: number;
  b: number;
}

/** The q-quantile (0..1) of xs, by linear interpolation. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((x, y) => x - y);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/**
 * B's speed over A's (A's cost ÷ B's cost) pooled over rounds of blocks, with its 5–95 % interval by a
 * bootstrap that draws rounds (each a fresh pair of compiled trees) and then blocks within each drawn round.
 *
 * @example
 * ```ts
 * pooledRatio([[{ a: 10, b: 9 }, { a: 11, b: 10 }]]); // { ratio: 1.105…, p5: …, p95: … }
 * ```
 */
export function pooledRatio(
  rounds: readonly (readonly Block[])[],
  draws = 4000,
): { ratio: number; p5: number; p95: number } {
  const sum = (bs: readonly Block[], k: 'a' | 'b') => bs.reduce((t, x) => t + x[k], 0);
  const all = rounds.flat();
  const ratio = sum(all, 'a') / sum(all, 'b');
  const rand = mulberry32(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const ratios: number[] = [];
  for (let d = 0; d < draws; d++) {
    let a = 0;
    let b = 0;
    for (let r = 0; r < rounds.length; r++) {
      const blocks = pick(rounds);
      for (let k = 0; k < blocks.length; k++) {
        const x = pick(blocks);
        a += x.a;
        b += x.b;
      }
    }
    ratios.push(a / b);
  }
  return { ratio, p5: quantile(ratios, 0.05), p95: quantile(ratios, 0.95) };
}

// Student's t, two-sided 90 % (the 95th percentile), by degrees of freedom 1..30; beyond, the normal's.
const T95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753,
  1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

/**
 * The mean of per-round ratios (geometric) with its 5–95 % interval by Student's t over rounds: each round is an
 * independent replicate (fresh isolates, fresh compiled code), so the spread between rounds, the largest part
 * of the noise, is in the interval, which a bootstrap of a few rounds would understate.
 *
 * @example
 * ```ts
 * roundsInterval([0.99, 1.01, 1.0]); // { mean: 0.99997, p5: 0.983…, p95: 1.016… }
 * ```
 */
export function roundsInterval(ratios: readonly number[]): { mean: number; p5: number; p95: number } {
  const logs = ratios.map(Math.log);
  const n = logs.length;
  const mean = logs.reduce((t, x) => t + x, 0) / n;
  if (n < 2) return { mean: Math.exp(mean), p5: Number.NaN, p95: Number.NaN };
  const sd = Math.sqrt(logs.reduce((t, x) => t + (x - mean) ** 2, 0) / (n - 1));
  const half = (T95[n - 2] ?? 1.645) * (sd / Math.sqrt(n));
  return { mean: Math.exp(mean), p5: Math.exp(mean - half), p95: Math.exp(mean + half) };
}

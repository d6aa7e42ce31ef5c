/**
 * A sampler for Zipf(s) over ranks 1..n: P(k) ∝ k^-s. Builds the cumulative table once
 * (n doubles) and draws by binary search, so a draw is O(log n) and allocation-free.
 *
 * @example
 * ```ts
 * const rank = zipfSampler(1000, 1.1);
 * rank(Math.random()); // 1 is the most likely, then 2, …
 * ```
 */
export function zipfSampler(n: number, s: number): (u: number) => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) {
    total += k ** -s;
    cdf[k - 1] = total;
  }
  for (let i = 0; i < n; i++) cdf[i] = cdf[i]! / total;
  return (u) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo + 1;
  };
}

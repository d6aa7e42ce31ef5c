import type { Random } from './prng.ts';

/**
 * Draws from `items` with Zipf(`s`) skew: the first item is the most popular, the k-th is drawn with
 * probability proportional to `k^-s`. This is how real traffic is shaped — a few customers, stores or
 * restaurants get most of the events.
 *
 * @example
 * ```ts
 * const draw = zipfPicker(['a', 'b', 'c'], 1.1);
 * draw(seededRandom(1)); // 'a' most often
 * ```
 */
export function zipfPicker<T>(items: readonly T[], s: number): (random: Random) => T {
  if (items.length === 0) throw new RangeError('zipfPicker needs at least one item');
  const cdf = new Float64Array(items.length);
  let total = 0;
  for (let k = 1; k <= items.length; k++) {
    total += k ** -s;
    cdf[k - 1] = total;
  }
  return (random) => {
    const u = random.next() * total;
    let lo = 0;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return items[lo] as T;
  };
}

/** Powers of ten that are exact doubles and safe integers: `POW10[k] = 10^k`, k = 0 … 15. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** The most digits after the point a {@link Fixed} keeps (10^15 is still a safe integer). */
export const FIXED_MAX_SCALE = 15;

/**
 * A decimal that is not an integer, held exactly as a safe integer of units and a scale:
 * `units × 10^-scale`, with `1 ≤ scale ≤ 15` and `units` not a multiple of `10^scale` (an integer value is
 * a plain `number`, zero included). Immutable: arithmetic returns new values. It stands for the common
 * decimal (a price, a reading) so that sums of them are integer additions instead of arbitrary-precision
 * ones; anything that does not fit falls back to the arbitrary-precision `Dec`.
 *
 * @example
 * ```ts
 * const price = new Fixed(1234, 2); // 12.34
 * price.toFixed(); // '12.34'
 * ```
 */
export class Fixed {
  constructor(
    readonly units: number,
    readonly scale: number,
  ) {}

  /** The plain decimal text, without trailing zeros (`12.5`, `-0.001`): DynamoDB's `N` form. */
  toFixed(): string {
    const negative = this.units < 0;
    let digits = String(negative ? -this.units : this.units);
    const scale = this.scale;
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    let end = digits.length;
    const point = end - scale;
    while (end > point && digits.charCodeAt(end - 1) === 48) end--;
    const text = `${digits.slice(0, point)}.${digits.slice(point, end)}`;
    return negative ? `-${text}` : text;
  }

  toString(): string {
    return this.toFixed();
  }

  toJSON(): string {
    return this.toFixed();
  }

  /** The decimal text, as decimal.js's `valueOf` gives it (so `Number(x)` and `x + ''` behave as for a `Dec`). */
  valueOf(): string {
    return this.toFixed();
  }
}

/**
 * `units × 10^-scale` as a Num-shaped value: a plain number when it is an integer (zero included), else a
 * {@link Fixed}. `units` must be a safe integer and `scale` within 0 … 15.
 *
 * @example
 * ```ts
 * fixedOf(1250, 2); // Fixed 12.5
 * fixedOf(1200, 2); // 12
 * ```
 */
export function fixedOf(units: number, scale: number): number | Fixed {
  if (scale === 0) return units;
  const p = POW10[scale] as number;
  if (units % p === 0) return units / p || 0;
  return new Fixed(units, scale);
}

/**
 * The exact sum of two values that are each a safe integer or a {@link Fixed}, or undefined when a step
 * would leave the safe integers (the caller falls back to arbitrary precision).
 *
 * @example
 * ```ts
 * addFixed(new Fixed(1, 1), new Fixed(2, 1)); // Fixed 0.3
 * addFixed(Number.MAX_SAFE_INTEGER, new Fixed(5, 1)); // undefined
 * ```
 */
export function addFixed(a: number | Fixed, b: number | Fixed): number | Fixed | undefined {
  const sa = typeof a === 'number' ? 0 : a.scale;
  const sb = typeof b === 'number' ? 0 : b.scale;
  const ua = typeof a === 'number' ? a : a.units;
  const ub = typeof b === 'number' ? b : b.units;
  const scale = Math.max(sa, sb);
  // a product or sum whose exact value is past 2^53 rounds to a double at or past 2^53: never "safe"
  const x = sa === scale ? ua : ua * (POW10[scale - sa] as number);
  const y = sb === scale ? ub : ub * (POW10[scale - sb] as number);
  const units = x + y;
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || !Number.isSafeInteger(units)) return undefined;
  return fixedOf(units, scale);
}

/**
 * Compares two values that are each a safe integer or a {@link Fixed}: negative, zero or positive; undefined
 * when aligning their scales would leave the safe integers.
 *
 * @example
 * ```ts
 * compareFixed(new Fixed(15, 1), 2); // < 0
 * ```
 */
export function compareFixed(a: number | Fixed, b: number | Fixed): number | undefined {
  const sa = typeof a === 'number' ? 0 : a.scale;
  const sb = typeof b === 'number' ? 0 : b.scale;
  const scale = Math.max(sa, sb);
  const x = (typeof a === 'number' ? a : a.units) * (POW10[scale - sa] as number);
  const y = (typeof b === 'number' ? b : b.units) * (POW10[scale - sb] as number);
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return undefined;
  return x - y;
}

/**
 * Parses a plain decimal text (`-12.34`, `0.005`, `7.50`; no exponent, digits on both sides of the point)
 * of at most 15 significant digits and 15 after the point: a number when its value is an integer, else a
 * {@link Fixed}; undefined for any other text (the caller parses it with arbitrary precision).
 *
 * @example
 * ```ts
 * parseFixed('12.34'); // Fixed 12.34
 * parseFixed('5.0'); // 5
 * parseFixed('1e3'); // undefined
 * ```
 */
export function parseFixed(s: string): number | Fixed | undefined {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const negative = i === 1;
  let units = 0;
  let significant = 0;
  let scale = -1;
  const start = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      // '.': once, with a digit before it
      if (scale !== -1 || i === start) return undefined;
      scale = 0;
      continue;
    }
    if (c < 48 || c > 57) return undefined;
    if (scale !== -1) scale++;
    if (significant > 0 || c !== 48) {
      if (++significant > 15) return undefined;
    }
    units = units * 10 + (c - 48);
  }
  // a point with digits after it, at most 15 of them
  if (scale < 1 || scale > FIXED_MAX_SCALE) return undefined;
  return fixedOf(negative ? -units : units, scale);
}

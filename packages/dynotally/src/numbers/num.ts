import { Decimal } from 'decimal.js';
import { DynotallyError } from '../errors/index.ts';

/** Decimal arithmetic with headroom above DynamoDB's 38 significant digits. */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -130,
  toExpPos: 130,
});
/** A decimal value from {@link Dec}. */
export type Dec = InstanceType<typeof Dec>;

/**
 * An exact number: a JS `number` when it is a safe integer (the fast path), a {@link Dec} otherwise.
 *
 * @example
 * ```ts
 * const a: Num = 3;
 * const b: Num = new Dec('12.34');
 * ```
 */
export type Num = number | Dec;

const SAFE_INT = /^-?(0|[1-9]\d{0,14})$/;

/**
 * Parses a DynamoDB `N` string exactly.
 *
 * @example
 * ```ts
 * parseNum('42');      // 42 (number)
 * parseNum('0.10');    // Dec('0.1')
 * ```
 */
export function parseNum(s: string): Num {
  if (s.length <= 16 && SAFE_INT.test(s)) return Number(s);
  let d: Dec;
  try {
    d = new Dec(s);
  } catch (cause) {
    throw new DynotallyError('VALUE_INVALID', `'${s}' is not a number`, { details: { value: s }, cause });
  }
  if (!d.isFinite())
    throw new DynotallyError('VALUE_INVALID', `'${s}' is not a finite number`, { details: { value: s } });
  return normalize(d);
}

const MAX_SAFE = new Dec(Number.MAX_SAFE_INTEGER);
const DYNAMO_MAX = new Dec('1e126');
const DYNAMO_MIN = new Dec('1e-130');

/** A Dec that is a safe integer becomes a plain number (keeps the fast path fast). */
function normalize(d: Dec): Num {
  // d.e is the decimal exponent: below 15 the integer has at most 15 digits, so it is safe without comparing
  if (d.isInteger() && (d.e < 15 || d.abs().lte(MAX_SAFE))) return d.toNumber();
  return d;
}

/**
 * Exact addition.
 *
 * @example
 * ```ts
 * addNum(1, 2); // 3
 * addNum(new Dec('0.1'), new Dec('0.2')).toString(); // '0.3'
 * ```
 */
export function addNum(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normalize(typeof a === 'number' ? new Dec(a).plus(b) : a.plus(b));
}

/**
 * Exact negation.
 *
 * @example
 * ```ts
 * negNum(5); // -5
 * ```
 */
export function negNum(a: Num): Num {
  return typeof a === 'number' ? -a || 0 : a.neg();
}

/**
 * Exact multiplication by a sign (+1 / −1), allocation-free for numbers.
 *
 * @example
 * ```ts
 * signed(4, -1); // -4
 * ```
 */
export function signed(a: Num, sign: 1 | -1): Num {
  return sign === 1 ? a : negNum(a);
}

/**
 * True when the value is zero.
 *
 * @example
 * ```ts
 * isZeroNum(0); // true
 * ```
 */
export function isZeroNum(a: Num): boolean {
  return typeof a === 'number' ? a === 0 : a.isZero();
}

/**
 * Compares two exact numbers: negative, zero or positive.
 *
 * @example
 * ```ts
 * compareNum(1, new Dec('1.5')); // < 0
 * ```
 */
export function compareNum(a: Num, b: Num): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return typeof a === 'number' ? new Dec(a).cmp(b) : a.cmp(b);
}

/**
 * The DynamoDB `N` string for a value; throws NUMBER_OUT_OF_RANGE past 38 significant digits.
 *
 * @example
 * ```ts
 * toDynamoN(new Dec('12.50')); // '12.5'
 * ```
 */
export function toDynamoN(a: Num): string {
  if (typeof a === 'number') return String(a);
  // Fast path: at most 4 base-1e7 limbs (28 digits) and a decimal exponent within ±29 is always in range.
  if (a.d.length <= 4 && a.e < 30 && a.e > -30) return a.toFixed();
  // significant digits: trailing zeros of an integer do not count (DynamoDB stores 1e38)
  if (a.precision(false) > 38 || outOfRange(a)) {
    throw new DynotallyError(
      'NUMBER_OUT_OF_RANGE',
      `${a.toString()} does not fit a DynamoDB number (38 significant digits, magnitude 1e-130..1e126)`,
      { details: { value: a.toString() } },
    );
  }
  return a.toFixed();
}

/** Magnitude outside DynamoDB's 1e-130..1e126 (one abs(), constants parsed once). */
function outOfRange(a: Dec): boolean {
  const m = a.abs();
  return m.gte(DYNAMO_MAX) || (!a.isZero() && m.lt(DYNAMO_MIN));
}

/**
 * A canonical string for a number (the same for `1`, `1.0` and `1e0`): used in group keys.
 *
 * @example
 * ```ts
 * canonicalNumber('1.50'); // '1.5'
 * ```
 */
export function canonicalNumber(s: string): string {
  const n = parseNum(s);
  return typeof n === 'number' ? String(n) : n.toFixed();
}

import { Decimal } from 'decimal.js';
import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownText } from '../strings/shown-value.ts';
import { addFixed, compareFixed, Fixed, parseFixed } from './fixed.ts';

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
 * An exact number: a JS `number` when it is a safe integer (the fast path), a {@link Fixed} when it is a
 * decimal of at most 15 significant digits and 15 after the point (a price, a reading: integer arithmetic),
 * a {@link Dec} otherwise. Every operation below takes any mix of the three and stays exact.
 *
 * @example
 * ```ts
 * const a: Num = 3;
 * const b: Num = parseNum('12.34'); // a Fixed
 * const c: Num = new Dec('1e-40');
 * ```
 */
export type Num = number | Fixed | Dec;

const SAFE_INT = /^-?(0|[1-9]\d{0,14})$/;

/**
 * Parses a DynamoDB `N` string exactly.
 *
 * @example
 * ```ts
 * parseNum('42');      // 42 (number)
 * parseNum('0.10');    // Fixed 0.1
 * parseNum('1e-40');   // Dec('1e-40')
 * ```
 */
export function parseNum(s: string): Num {
  if (s.length <= 16 && SAFE_INT.test(s)) return Number(s);
  const fixed = parseFixed(s);
  if (fixed !== undefined) return fixed;
  let d: Dec;
  try {
    d = new Dec(s);
  } catch (cause) {
    throw new DynotallyError('VALUE_INVALID', `'${shownText(s)}' is not a number`, {
      details: { value: shownDetail(s) },
      cause,
    });
  }
  if (!d.isFinite())
    throw new DynotallyError('VALUE_INVALID', `'${shownText(s)}' is not a finite number`, {
      details: { value: shownDetail(s) },
    });
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
 * Decimals wide enough for any exact sum of DynamoDB numbers: their magnitudes span 1e126 to 1e-130 (257
 * digits), with headroom for the carries of many terms.
 */
const WideDec = Decimal.clone({
  precision: 300,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -400,
  toExpPos: 400,
});

/**
 * Exact addition of any two sums of DynamoDB numbers, also when their magnitudes differ by more than a
 * {@link Dec}'s 60 digits hold (a 38-digit integer plus a 38-digit fraction, `-1e125` plus `-1e-130`). The result
 * may carry more digits than 38: a batch's coalesced delta that does, or a stored sum plus it, is refused by
 * {@link toDynamoN} or by DynamoDB, and the write path then resolves the row record by record; 60 digits used to
 * round such a delta back to one that fits, and the tiny term was lost without a word. The result is a
 * {@link Dec} that may carry more digits than its class's precision: add to it with this function only.
 *
 * @example
 * ```ts
 * addNum(1, 2); // 3
 * addNum(new Dec('0.1'), new Dec('0.2')).toString(); // '0.3'
 * addNum(new Dec('1e30'), new Dec('1e-40')).toFixed(); // '1000…0.000…01' (71 digits)
 * ```
 */
export function addNum(a: Num, b: Num): Num {
  // a WideDec result copied into a Dec keeps every digit (precision applies to arithmetic, not to copies)
  return addSmall(a, b) ?? normalize(new Dec(new WideDec(toDec(a)).plus(new WideDec(toDec(b)))));
}

/** The sum by integer arithmetic (safe integers, {@link Fixed}), or undefined when it needs decimals. */
function addSmall(a: Num, b: Num): Num | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  } else if (small(a) && small(b)) return addFixed(a, b);
  return undefined;
}

/** Any Num as a {@link Dec} (exact). */
function toDec(a: Num): Dec {
  if (typeof a === 'number') return new Dec(a);
  return a instanceof Fixed ? new Dec(`${a.units}e-${a.scale}`) : a;
}

/** A safe integer or a {@link Fixed}: integer arithmetic applies. */
function small(a: Num): a is number | Fixed {
  return typeof a === 'number' || a instanceof Fixed;
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
  if (typeof a === 'number') return -a || 0;
  return a instanceof Fixed ? new Fixed(-a.units, a.scale) : a.neg();
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
  if (typeof a === 'number') return a === 0;
  return a instanceof Fixed ? false : a.isZero(); // a Fixed is never an integer, so never zero
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
  if (small(a) && small(b)) {
    const c = compareFixed(a, b);
    if (c !== undefined) return c;
  }
  return toDec(a).cmp(toDec(b));
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
  // at most 15 significant digits and 15 after the point: always within DynamoDB's range
  if (a instanceof Fixed) return a.toFixed();
  // Fast path: at most 4 base-1e7 limbs (28 digits) and a decimal exponent within ±29 is always in range.
  if (a.d.length <= 4 && a.e < 30 && a.e > -30) return a.toFixed();
  // significant digits: trailing zeros of an integer do not count (DynamoDB stores 1e38)
  if (a.precision(false) > 38 || outOfRange(a)) {
    throw new DynotallyError(
      'NUMBER_OUT_OF_RANGE',
      `${shownText(a.toString())} does not fit a DynamoDB number (38 significant digits, magnitude 1e-130..1e126)`,
      { details: { value: shownDetail(a.toString()) } },
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

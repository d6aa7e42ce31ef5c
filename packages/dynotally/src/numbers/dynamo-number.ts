import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownText, shownValue } from '../strings/shown-value.ts';
import { Fixed, parseFixed } from './fixed.ts';
import { type Dec, type Num, parseNum } from './num.ts';

/** DynamoDB's number limits: 38 significant digits, magnitude 1e-130 ≤ |x| < 1e126 (or zero). */
export const DYNAMO_NUMBER_LIMITS = { digits: 38, minExponent: -130, maxExponent: 125 } as const;

/** Decimal syntax DynamoDB accepts: optional sign, digits with an optional point, optional exponent. */
export const DYNAMO_NUMBER_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The significant digits of a decimal: leading and trailing zeros never count (DynamoDB trims both, so
 * `1e38` and `100…0` with 38 zeros are one digit, `0.00120` is two).
 *
 * @example
 * ```ts
 * significantDigits(new Dec('1e38')); // 1
 * significantDigits(new Dec('120.50')); // 4
 * ```
 */
export function significantDigits(d: Dec): number {
  return d.isZero() ? 1 : d.precision(false);
}

/**
 * Why DynamoDB would reject this decimal as a number, or `undefined` when it fits (38 significant digits,
 * magnitude 1e-130 … 9.99…e125, or zero).
 *
 * @example
 * ```ts
 * dynamoNumberProblem(new Dec('1e-131')); // 'its magnitude is below 1e-130'
 * dynamoNumberProblem(new Dec('1e38'));   // undefined
 * ```
 */
export function dynamoNumberProblem(d: Dec): string | undefined {
  if (!d.isFinite()) return 'it is not finite';
  if (d.isZero()) return undefined;
  if (significantDigits(d) > DYNAMO_NUMBER_LIMITS.digits)
    return `it has ${significantDigits(d)} significant digits (at most 38)`;
  if (d.e > DYNAMO_NUMBER_LIMITS.maxExponent) return 'its magnitude is 1e126 or more';
  if (d.e < DYNAMO_NUMBER_LIMITS.minExponent) return 'its magnitude is below 1e-130';
  return undefined;
}

/**
 * Parses an `N` value read from a source image exactly, accepting only what DynamoDB itself would store: a
 * decimal string (no `NaN`, `Infinity`, hex, blanks), at most 38 significant digits, magnitude
 * 1e-130 … 9.99…e125. Anything else is `VALUE_INVALID`, so the record is poison at fold time and never
 * reaches a write that DynamoDB would refuse.
 *
 * @example
 * ```ts
 * parseInputNumber('1e38').toString(); // '1e+38'
 * parseInputNumber('NaN'); // throws VALUE_INVALID
 * ```
 */
export function parseInputNumber(s: string, attribute?: string): Num {
  if (typeof s === 'string') {
    if (isSafeIntegerText(s)) return Number(s);
    // the shape check and the fold read the same value back to back: decimals are immutable, so share them
    for (let i = 0; i < RECENT; i++) if (recentText[i] === s) return recentValue[i] as Num;
    // a plain decimal of up to 15 digits (valid syntax, always within DynamoDB's limits)
    const fixed = parseFixed(s);
    if (fixed !== undefined) return remember(s, fixed);
  }
  if (typeof s !== 'string' || !DYNAMO_NUMBER_SYNTAX.test(s)) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `${shownValue(s)}${where(attribute)} is not a DynamoDB number: write a decimal string such as '42', '-0.5' or '1e38'`,
      { details: { value: shownDetail(s), attribute } },
    );
  }
  const n = parseNum(s);
  if (typeof n === 'number' || n instanceof Fixed) return n;
  const problem = dynamoNumberProblem(n);
  if (problem !== undefined) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `${shownText(s)}${where(attribute)} is not a number DynamoDB can store: ${problem}; fix the source item`,
      { details: { value: shownDetail(s), attribute } },
    );
  }
  return remember(s, n);
}

/** Keeps a parsed decimal in the ring of recent ones (values are immutable, so they are shared). */
function remember(s: string, n: Num): Num {
  recentText[recentNext] = s;
  recentValue[recentNext] = n;
  recentNext = (recentNext + 1) % RECENT;
  return n;
}

/**
 * Checks an `N` value as {@link parseInputNumber} does (VALUE_INVALID when DynamoDB would not store it),
 * without converting a safe integer: for shape checks whose caller reads the value later.
 *
 * @example
 * ```ts
 * checkInputNumber('1763800000000'); // fine
 * checkInputNumber('0x10'); // throws VALUE_INVALID
 * ```
 */
export function checkInputNumber(s: string, attribute?: string): void {
  if (typeof s === 'string' && isSafeIntegerText(s)) return;
  parseInputNumber(s, attribute);
}

function where(attribute: string | undefined): string {
  return attribute === undefined ? '' : ` in attribute '${attribute}'`;
}

/** Decimals parsed last (a ring), seeded with a value that is its own correct entry. */
const RECENT = 4;
const recentText: string[] = ['0.5', '0.5', '0.5', '0.5'];
const recentValue: Num[] = recentText.map((t) => parseNum(t));
let recentNext = 0;

/**
 * `-?(0|[1-9][0-9]{0,14})`, the integers `parseNum` returns as plain numbers, by a char loop (no regular
 * expression): every such text is also valid DynamoDB syntax and within its limits.
 */
function isSafeIntegerText(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 16) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const digits = n - i;
  if (digits === 0 || digits > 15) return false;
  const first = s.charCodeAt(i);
  if (first === 48) return digits === 1; // '0' alone, never a leading zero
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

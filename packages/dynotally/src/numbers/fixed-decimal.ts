import { type Num, parseNum } from './num.ts';

/** The most digits a fixed-scale decimal may have: every such integer is exact in a double. */
export const FIXED_MAX_DIGITS = 15;

/**
 * The result of {@link parseFixed}, reused between calls (read it before the next call): the value is
 * `units / 10^scale`.
 */
export const fixedOut = { units: 0, scale: 0 };

/**
 * Parses a plain decimal string (`-?digits[.digits]`, at most 15 digits in all) as an integer number of
 * units at a fixed scale, into {@link fixedOut}; returns false for anything else (exponents, a leading `+`,
 * more digits), which the caller then parses exactly with decimals. Every string it accepts is a number
 * DynamoDB can store (at most 15 significant digits, magnitude within 1e-15 … 1e15).
 *
 * @example
 * ```ts
 * if (parseFixed('-12.50')) console.log(fixedOut.units, fixedOut.scale); // -1250 2
 * parseFixed('1e3'); // false
 * ```
 */
export function parseFixed(s: string): boolean {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n === 0) return false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let units = 0;
  let digits = 0;
  let scale = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      units = units * 10 + c;
      digits++;
      if (scale >= 0) scale++;
    } else if (c === -2 && scale < 0 && digits > 0) scale = 0;
    else return false;
  }
  if (digits === 0 || digits > FIXED_MAX_DIGITS || scale === 0) return false;
  fixedOut.units = neg && units !== 0 ? -units : units;
  fixedOut.scale = Math.max(scale, 0);
  return true;
}

/** 10^k for k = 0 … 22, all exact in a double. */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The exact number `units / 10^scale` (units a safe integer): a plain number when it is an integer, a
 * decimal otherwise.
 *
 * @example
 * ```ts
 * fixedToNum(1250, 2).toString(); // '12.5'
 * fixedToNum(1200, 2); // 12
 * ```
 */
export function fixedToNum(units: number, scale: number): Num {
  if (units === 0) return 0;
  if (scale === 0) return units;
  const neg = units < 0;
  let digits = String(neg ? -units : units);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const cut = digits.length - scale;
  return parseNum(`${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`);
}

import type { NumberText } from '../definition/types.ts';
import { DynotallyError } from '../errors/index.ts';
import { canonicalNumber, type Num, parseInputNumber } from '../numbers/index.ts';

/** The separator between a partition key's parts; escaped inside values. */
export const KEY_SEP = '#';

/**
 * Encodes one group value injectively: a type tag (`s` string, `n` number, `b` boolean) then the value with
 * `%` and `#` percent-escaped, so `'1'` ≠ `1`, `''` is valid, and delimiters inside values never collide.
 *
 * @example
 * ```ts
 * encodeGroupValue('a#b'); // 'sa%23b'
 * encodeGroupValue(1);     // 'n1'
 * encodeGroupValue({ N: '1.50' }); // 'n1.5', as the fold keys an N of '1.50'
 * ```
 */
export function encodeGroupValue(v: string | Num | boolean | bigint | NumberText): string {
  if (typeof v === 'string') {
    return v.indexOf('%') === -1 && v.indexOf('#') === -1
      ? `s${v}`
      : `s${v.replaceAll('%', '%25').replaceAll('#', '%23')}`;
  }
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DynotallyError('VALUE_INVALID', `group value ${v} is not finite`);
    // String(1e21) is '1e+21': only safe integers are written as they print
    return `n${Number.isSafeInteger(v) ? v : canonicalNumber(String(v))}`;
  }
  if (typeof v === 'bigint') return `n${v}`;
  // a number's text is keyed as the fold keys the same N read from an item (VALUE_INVALID when DynamoDB would
  // not store it)
  if (isNumberText(v)) return encodeGroupValue(parseInputNumber(v.N));
  return `n${v.toFixed()}`;
}

/**
 * True for a {@link NumberText}: an object whose only key is `N`, holding a string.
 *
 * @example
 * ```ts
 * isNumberText({ N: '0.1' }); // true
 * isNumberText('0.1');        // false
 * ```
 */
export function isNumberText(v: unknown): v is NumberText {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'N' && typeof (v as { N: unknown }).N === 'string';
}

/**
 * Decodes {@link encodeGroupValue} exactly: a number comes back as a `number` when a JavaScript number holds
 * it exactly, as a `bigint` when it is an integer beyond ±2^53, and otherwise (a decimal with more digits
 * than a double keeps) as its exact text, `{ N: '…' }`: never as a string, which would name a string group.
 *
 * @example
 * ```ts
 * decodeGroupValue('sa%23b'); // 'a#b'
 * decodeGroupValue('n1234567890123456789'); // 1234567890123456789n
 * decodeGroupValue('n0.12345678901234567891'); // { N: '0.12345678901234567891' }
 * ```
 */
export function decodeGroupValue(s: string): string | number | boolean | bigint | NumberText {
  const tag = s[0];
  const body = s.slice(1);
  if (tag === 's') return body.replaceAll('%23', '#').replaceAll('%25', '%');
  if (tag === 'b') return body === '1';
  if (tag === 'n') return decodeNumber(body);
  throw new DynotallyError('VALUE_INVALID', `'${s}' is not an encoded group value`);
}

const INTEGER = /^-?\d+$/;

function decodeNumber(body: string): number | bigint | NumberText {
  const n = Number(body);
  if (INTEGER.test(body)) return Number.isSafeInteger(n) ? n : BigInt(body);
  // a decimal (which may round to an integer: 7.000…01): the number when it prints back to the very same
  // digits, else the exact text
  return Number.isFinite(n) && canonicalNumber(String(n)) === body ? n : { N: body };
}

/**
 * The partition key of a rollup's group: `<rollup>#<value>#<value>…`.
 *
 * @example
 * ```ts
 * groupPartitionKey('jobs', ['c-1']); // 'jobs#sc-1'
 * ```
 */
export function groupPartitionKey(
  rollup: string,
  values: readonly (string | Num | boolean | bigint | NumberText)[],
): string {
  let pk = rollup;
  for (const v of values) pk += KEY_SEP + encodeGroupValue(v);
  return pk;
}

/**
 * Splits a partition key back into the rollup name and group values.
 *
 * @example
 * ```ts
 * parsePartitionKey('jobs#sc-1'); // { rollup: 'jobs', values: ['c-1'] }
 * ```
 */
export function parsePartitionKey(pk: string): {
  rollup: string;
  values: (string | number | boolean | bigint | NumberText)[];
} {
  const parts = pk.split(KEY_SEP);
  const rollup = parts.shift() ?? '';
  return { rollup, values: parts.map(decodeGroupValue) };
}

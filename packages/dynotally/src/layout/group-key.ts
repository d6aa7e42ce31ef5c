import { DynotallyError } from '../errors/index.ts';
import { canonicalNumber, type Num } from '../numbers/index.ts';

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
 * ```
 */
export function encodeGroupValue(v: string | Num | boolean | bigint): string {
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
  return `n${v.toFixed()}`;
}

/**
 * Decodes {@link encodeGroupValue} exactly: a number comes back as a `number` when a JavaScript number holds
 * it exactly, as a `bigint` when it is an integer beyond ±2^53, and otherwise (a decimal with more digits
 * than a double keeps) as its exact decimal string.
 *
 * @example
 * ```ts
 * decodeGroupValue('sa%23b'); // 'a#b'
 * decodeGroupValue('n1234567890123456789'); // 1234567890123456789n
 * ```
 */
export function decodeGroupValue(s: string): string | number | boolean | bigint {
  const tag = s[0];
  const body = s.slice(1);
  if (tag === 's') return body.replaceAll('%23', '#').replaceAll('%25', '%');
  if (tag === 'b') return body === '1';
  if (tag === 'n') return decodeNumber(body);
  throw new DynotallyError('VALUE_INVALID', `'${s}' is not an encoded group value`);
}

const INTEGER = /^-?\d+$/;

function decodeNumber(body: string): number | bigint | string {
  const n = Number(body);
  if (Number.isSafeInteger(n)) return n;
  if (INTEGER.test(body)) return BigInt(body);
  // a decimal: the number when it prints back to the very same digits, else the exact text
  return Number.isFinite(n) && canonicalNumber(String(n)) === body ? n : body;
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
  values: readonly (string | Num | boolean | bigint)[],
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
  values: (string | number | boolean | bigint)[];
} {
  const parts = pk.split(KEY_SEP);
  const rollup = parts.shift() ?? '';
  return { rollup, values: parts.map(decodeGroupValue) };
}

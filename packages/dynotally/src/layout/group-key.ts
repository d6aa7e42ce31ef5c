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
export function encodeGroupValue(v: string | Num | boolean): string {
  if (typeof v === 'string') {
    return v.indexOf('%') === -1 && v.indexOf('#') === -1
      ? `s${v}`
      : `s${v.replaceAll('%', '%25').replaceAll('#', '%23')}`;
  }
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DynotallyError('VALUE_INVALID', `group value ${v} is not finite`);
    return `n${Number.isInteger(v) ? v : canonicalNumber(String(v))}`;
  }
  return `n${v.toFixed()}`;
}

/**
 * Decodes {@link encodeGroupValue}.
 *
 * @example
 * ```ts
 * decodeGroupValue('sa%23b'); // 'a#b'
 * ```
 */
export function decodeGroupValue(s: string): string | number | boolean {
  const tag = s[0];
  const body = s.slice(1);
  if (tag === 's') return body.replaceAll('%23', '#').replaceAll('%25', '%');
  if (tag === 'b') return body === '1';
  if (tag === 'n') return Number(body);
  throw new DynotallyError('VALUE_INVALID', `'${s}' is not an encoded group value`);
}

/**
 * The partition key of a rollup's group: `<rollup>#<value>#<value>…`.
 *
 * @example
 * ```ts
 * groupPartitionKey('jobs', ['c-1']); // 'jobs#sc-1'
 * ```
 */
export function groupPartitionKey(rollup: string, values: readonly (string | Num | boolean)[]): string {
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
export function parsePartitionKey(pk: string): { rollup: string; values: (string | number | boolean)[] } {
  const parts = pk.split(KEY_SEP);
  const rollup = parts.shift() ?? '';
  return { rollup, values: parts.map(decodeGroupValue) };
}

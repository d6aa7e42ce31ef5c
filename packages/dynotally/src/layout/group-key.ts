import type { NumberText } from '../definition/types.ts';
import { DynotallyError } from '../errors/index.ts';
import {
  canonicalNumber,
  DYNAMO_NUMBER_SYNTAX,
  dynamoNumberProblem,
  Fixed,
  type Num,
  parseNum,
} from '../numbers/index.ts';
import { shownDetail, shownText, shownValue } from '../strings/shown-value.ts';
import { isWellFormedText } from '../strings/well-formed.ts';

/** The separator between a partition key's parts; escaped inside values. */
export const KEY_SEP = '#';

/** What {@link encodeGroupValue} takes: a query's group value, or a scalar read from an item. */
type Encodable = string | Num | boolean | bigint | NumberText;

/**
 * Where a group value comes from, for the message and details of the error that refuses it.
 *
 * @example
 * ```ts
 * const at: GroupValueSite = { rollup: 'store', attribute: 'storeId' };
 * ```
 */
export interface GroupValueSite {
  readonly rollup: string;
  readonly attribute: string;
}

/**
 * Encodes one group value injectively: a type tag (`s` string, `n` number, `b` boolean) then the value with
 * `%` and `#` percent-escaped, so `'1'` ≠ `1`, `''` is valid, and delimiters inside values never collide. A
 * `number` (finite) or a `bigint` is keyed by its exact decimal value, whatever its size: the key is text, so a
 * groupBy function may return a 39-digit bigint (a UUID) or `1e200`, and a query naming the same value reads that
 * group. A number's text (`{ N }`, an item's attribute as it is stored) must be one DynamoDB stores.
 *
 * A string must be well-formed UTF-16 (no lone surrogate): DynamoDB stores strings as UTF-8, which cannot hold
 * one, so different ones would share a key.
 *
 * @throws {DynotallyError} `VALUE_INVALID` for a number that is not finite, a number's text that DynamoDB would not
 *   store, or a string with a lone surrogate.
 * @example
 * ```ts
 * encodeGroupValue('a#b'); // 'sa%23b'
 * encodeGroupValue(1);     // 'n1'
 * encodeGroupValue({ N: '1.50' }); // 'n1.5', as the fold keys an N of '1.50'
 * encodeGroupValue(2n ** 128n - 1n); // 'n340282366920938463463374607431768211455'
 * encodeGroupValue({ N: '1e-200' }); // throws VALUE_INVALID (below 1e-130)
 * ```
 */
export function encodeGroupValue(v: Encodable, at?: GroupValueSite): string {
  if (typeof v === 'string') {
    if (!isWellFormedText(v)) throw illFormed(v, at);
    return v.indexOf('%') === -1 && v.indexOf('#') === -1
      ? `s${v}`
      : `s${v.replaceAll('%', '%25').replaceAll('#', '%23')}`;
  }
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  // `${-0}` is '0': the group 0, as an item's N of '-0'
  if (typeof v === 'number' && Number.isSafeInteger(v)) return `n${v}`;
  // String(1e21) is '1e+21', String(5e-324) is '5e-324': keyed by the exact value of that text; NaN and ±Infinity
  // are no decimal text and are refused
  if (typeof v === 'number')
    return `n${Number.isFinite(v) ? canonicalNumber(String(v)) : storableNumberText(String(v), at)}`;
  if (typeof v === 'bigint') return `n${v}`;
  // a number's text is keyed as the fold keys the same N read from an item
  if (isNumberText(v)) return `n${storableNumberText(v.N, at)}`;
  return `n${v.toFixed()}`;
}

/** How an error names the value it refuses. */
function siteText(at: GroupValueSite | undefined): string {
  return at === undefined
    ? 'a group value'
    : `group attribute '${shownText(at.attribute)}' of rollup '${at.rollup}'`;
}

/** The site as an error's `details` carry it, the attribute's name bounded (a query's group may name anything). */
function siteDetails(at: GroupValueSite | undefined): Record<string, unknown> {
  return at === undefined ? {} : { rollup: at.rollup, attribute: shownDetail(at.attribute) };
}

function illFormed(v: string, at: GroupValueSite | undefined): DynotallyError {
  return new DynotallyError(
    'VALUE_INVALID',
    `${siteText(at)} is ${shownValue(v)}, which has a lone surrogate (half of a character, as slice() leaves of an emoji): DynamoDB stores strings as UTF-8, which cannot hold it, so other groups would share its key; cut strings by whole characters (Array.from(s).slice(…).join(''))`,
    { details: siteDetails(at) },
  );
}

/**
 * The canonical text of a number DynamoDB stores (`'1.5'` for `'1.50'`), else `VALUE_INVALID` saying why.
 */
function storableNumberText(text: string, at: GroupValueSite | undefined): string {
  // (JavaScript prints 1e21 as '1e+21', which DynamoDB's syntax accepts)
  const problem = DYNAMO_NUMBER_SYNTAX.test(text) ? numberProblem(text) : 'it is not a decimal number';
  if (problem !== undefined) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `${siteText(at)} is ${shownText(text)}, not a number DynamoDB can store: ${problem}; group by a number of at most 38 significant digits and magnitude 1e-130 to below 1e126 (or 0), or by a string`,
      { details: { ...siteDetails(at), value: shownDetail(text) } },
    );
  }
  return canonicalNumber(text);
}

function numberProblem(text: string): string | undefined {
  const n = parseNum(text);
  return typeof n === 'number' || n instanceof Fixed ? undefined : dynamoNumberProblem(n);
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
 * The partition key of a rollup's group: `<rollup>#<value>#<value>…`. `attributes` (the group's names, in the
 * order of `values`) only name the value an error refuses.
 *
 * @throws {DynotallyError} `VALUE_INVALID` for a number DynamoDB would not store ({@link encodeGroupValue}).
 * @example
 * ```ts
 * groupPartitionKey('jobs', ['c-1']); // 'jobs#sc-1'
 * ```
 */
export function groupPartitionKey(
  rollup: string,
  values: readonly Encodable[],
  attributes?: readonly string[],
): string {
  let pk = rollup;
  for (let i = 0; i < values.length; i++) {
    const a = attributes?.[i];
    pk +=
      KEY_SEP +
      encodeGroupValue(values[i] as Encodable, a === undefined ? undefined : { rollup, attribute: a });
  }
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

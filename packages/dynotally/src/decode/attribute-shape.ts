import { DynotallyError } from '../errors/index.ts';
import { checkInputNumber, parseInputNumber } from '../numbers/index.ts';
import type { Image } from './change.ts';

/** The DynamoDB attribute-value type tags. */
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS';

/** DynamoDB nests maps and lists at most 32 levels deep. */
export const MAX_NESTING = 32;

/**
 * The type of one attribute value, checked against the exact DynamoDB JSON shape: an object with exactly
 * one of the type keys, `S` a string, `N` a decimal string DynamoDB can store, `BOOL` a boolean, `NULL` true,
 * `B` base64 or bytes, `M` a map and `L` a list of valid values (at most 32 levels), `SS`/`NS`/`BS`
 * non-empty arrays without duplicates. Anything else (`{ S: 5 }`, `{ N: 5 }`, `{ S: 'a', N: '1' }`, `{}`)
 * throws `VALUE_INVALID`, so a malformed value can never pass for another type. With `numbers: false` a
 * top-level `N` is only checked to be a string (for callers that parse it right after).
 *
 * @example
 * ```ts
 * attributeType({ N: '5' }, 'qty'); // 'N'
 * attributeType({ S: 5 }, 'qty');   // throws VALUE_INVALID
 * ```
 */
export function attributeType(v: unknown, name: string, depth = 0, numbers = true): AttributeType {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    bad(name, v, 'is not an attribute value object');
  let tag: string | undefined;
  for (const k in v) {
    if (tag !== undefined) bad(name, v, 'has more than one type key');
    tag = k;
  }
  const x = (v as Record<string, unknown>)[tag as string];
  switch (tag) {
    case 'S':
      if (typeof x !== 'string') bad(name, v, 'has an S that is not a string');
      return 'S';
    case 'N':
      if (typeof x !== 'string') bad(name, v, 'has an N that is not a numeric string');
      if (numbers) checkInputNumber(x, name); // callers that parse the value themselves skip this
      return 'N';
    case 'BOOL':
      if (typeof x !== 'boolean') bad(name, v, 'has a BOOL that is not true or false');
      return 'BOOL';
    case 'NULL':
      if (x !== true) bad(name, v, 'has a NULL that is not true');
      return 'NULL';
    case 'B':
      if (!isBinary(x)) bad(name, v, 'has a B that is not base64 text or bytes');
      return 'B';
    case 'M': {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) bad(name, v, 'has an M that is not a map');
      if (depth >= MAX_NESTING) bad(name, v, `nests deeper than ${MAX_NESTING} levels`);
      const m = x as Record<string, unknown>;
      for (const k in m) attributeType(m[k], `${name}.${k}`, depth + 1);
      return 'M';
    }
    case 'L': {
      if (!Array.isArray(x)) bad(name, v, 'has an L that is not a list');
      if (depth >= MAX_NESTING) bad(name, v, `nests deeper than ${MAX_NESTING} levels`);
      for (let i = 0; i < x.length; i++) attributeType(x[i], `${name}[${i}]`, depth + 1);
      return 'L';
    }
    case 'SS':
    case 'NS':
    case 'BS': {
      if (!Array.isArray(x) || x.length === 0) bad(name, v, `has a ${tag} that is not a non-empty list`);
      const seen = new Set<string>();
      for (const e of x) {
        if (tag === 'BS' ? !isBinary(e) : typeof e !== 'string')
          bad(name, v, `has a ${tag} element of the wrong type`);
        const key = tag === 'NS' ? String(parseInputNumber(e as string, name)) : String(e);
        if (seen.has(key)) bad(name, v, `has a duplicate element in its ${tag}`);
        seen.add(key);
      }
      return tag;
    }
    default:
      return bad(name, v, tag === undefined ? 'is empty' : `has the unknown type key '${tag}'`);
  }
}

/**
 * Checks the shape of the named attributes of an image (every attribute when `names` is undefined), throwing
 * `VALUE_INVALID` on the first malformed one; absent attributes are fine.
 *
 * @example
 * ```ts
 * checkImage({ storeId: { S: 's-1' }, qty: { N: '2' } }, ['storeId', 'qty']);
 * ```
 */
export function checkImage(image: Image, names: readonly string[] | undefined): void {
  if (names === undefined) {
    for (const k in image) attributeType(image[k], k);
    return;
  }
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    const v = image[n];
    if (v !== undefined) attributeType(v, n);
  }
}

function isBinary(x: unknown): boolean {
  return typeof x === 'string' || x instanceof Uint8Array;
}

function bad(name: string, v: unknown, why: string): never {
  let shown: string;
  try {
    shown = JSON.stringify(v) ?? String(v);
  } catch {
    shown = String(v);
  }
  if (shown.length > 200) shown = `${shown.slice(0, 200)}…`;
  throw new DynotallyError(
    'VALUE_INVALID',
    `attribute '${name}' ${why} (${shown}): a stream image holds DynamoDB JSON such as { "S": "text" } or { "N": "12.5" }`,
    { details: { attribute: name } },
  );
}

import type { AttributeValue } from 'aws-lambda';
import type { Image } from './change.ts';

/**
 * A plain JavaScript view of an item, handed to user predicates and group functions ({@link toPlain}).
 *
 * @example
 * ```ts
 * const item: PlainItem = toPlain(record.dynamodb.NewImage); // { storeId: 's-1', amount: 12.5 }
 * ```
 */
export type PlainItem = Record<string, unknown>;

/**
 * Converts an image to plain values for user callbacks: numbers become JS numbers, except integers beyond
 * ±2^53, which become `bigint`s so that a groupBy function never merges two large ids (use `sum()` for exact
 * arithmetic; callbacks only decide membership and groups), sets become `Set`s.
 *
 * @example
 * ```ts
 * toPlain({ a: { S: 'x' }, n: { N: '2' } }); // { a: 'x', n: 2 }
 * ```
 */
export function toPlain(image: Image): PlainItem {
  const out: PlainItem = {};
  for (const k in image) {
    const v = plainOf(image[k] as AttributeValue);
    // an attribute named '__proto__' is an own property: assigning it would set the object's prototype instead (a
    // map's entries would then read as the item's own attributes to a function, a string would be dropped)
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

function plainOf(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return plainNumber(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.M !== undefined) return toPlain(v.M as Image);
  if (v.L !== undefined) return (v.L as AttributeValue[]).map(plainOf);
  if (v.SS !== undefined) return new Set(v.SS);
  if (v.NS !== undefined) return new Set(v.NS.map(plainNumber));
  if (v.B !== undefined) return v.B;
  if (v.BS !== undefined) return new Set(v.BS);
  return undefined;
}

const INTEGER = /^[+-]?\d+$/;

/** A JS number, or a bigint for an integer a JS number cannot hold exactly. */
function plainNumber(n: string): number | bigint {
  const x = Number(n);
  if (Number.isSafeInteger(x) || !INTEGER.test(n)) return x;
  return BigInt(n);
}

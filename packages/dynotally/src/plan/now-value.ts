import type { AttributeValue } from '@aws-sdk/client-dynamodb';

let nowAt = Number.NaN;
let nowAv: AttributeValue = Object.freeze({ N: '' });

/**
 * `{ N: String(now) }` for a row write's `updatedAt`: one frozen value shared by every request built with the same
 * `now` (all the rows of a batch). The SDK only reads request values, and freezing keeps anyone else from changing
 * one request through another.
 *
 * @example
 * ```ts
 * nowValue(1764000000000); // { N: '1764000000000' } (the same object for the same now)
 * ```
 */
export function nowValue(now: number): AttributeValue {
  if (now !== nowAt) {
    nowAt = now;
    nowAv = Object.freeze({ N: String(now) });
  }
  return nowAv;
}

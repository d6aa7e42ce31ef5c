import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Image } from '../decode/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';

/**
 * The nesting levels of one attribute value as DynamoDB counts them against its limit
 * (`DYNAMO_LIMITS.nestingLevels`): 1 for a scalar or a set, 1 more than its deepest value for a map or list (2 for
 * an empty one, as DynamoDB counts it).
 *
 * @example
 * ```ts
 * nestingLevels({ S: 'a' }); // 1
 * nestingLevels({ M: { a: { L: [{ N: '1' }] } } }); // 3
 * nestingLevels({ M: {} }); // 2
 * ```
 */
export function nestingLevels(value: AttributeValue): number {
  let deepest = 0;
  if (value.M !== undefined)
    for (const k in value.M) deepest = Math.max(deepest, nestingLevels(value.M[k] as AttributeValue));
  else if (value.L !== undefined) for (const v of value.L) deepest = Math.max(deepest, nestingLevels(v));
  else return 1;
  // an empty map or list counts as two levels, as DynamoDB counts it (31 maps around `{}` are refused, around a
  // string accepted: test/review/s19b-backfill-empty-nesting.int.test.ts)
  return Math.max(deepest, 1) + 1;
}

/**
 * Whether an image fits in a claim's `img` map: kept there, each of its attributes is one level deeper than in
 * the item, so an item DynamoDB accepts (an attribute of 32 levels) may make a claim it refuses, on the scan's
 * write and on every stream write of the claim. Such an image is spilled like one too large (`spillClaim`).
 *
 * @example
 * ```ts
 * imageNestsInClaim({ g: { S: 'a' } }); // true
 * imageNestsInClaim({ deep: thirtyTwoLevels }); // false
 * ```
 */
export function imageNestsInClaim(image: Image): boolean {
  for (const k in image)
    if (nestingLevels(image[k] as AttributeValue) + 1 > DYNAMO_LIMITS.nestingLevels) return false;
  return true;
}

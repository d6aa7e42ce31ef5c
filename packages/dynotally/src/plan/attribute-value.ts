import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Num, toDynamoN } from '../numbers/index.ts';

/**
 * A scalar as a DynamoDB attribute value (numbers exact).
 *
 * @example
 * ```ts
 * toAttributeValue(3); // { N: '3' }
 * ```
 */
export function toAttributeValue(v: Num | string | boolean): AttributeValue {
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'boolean') return { BOOL: v };
  return { N: toDynamoN(v) };
}

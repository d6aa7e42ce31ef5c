import { isDynotallyError } from '../errors/index.ts';
import { type Num, toDynamoN } from '../numbers/index.ts';

/**
 * The plain decimal string of a value, exact also past DynamoDB's 38 significant digits (where `toDynamoN`
 * throws `NUMBER_OUT_OF_RANGE`): the buffer sends such a coalesced delta to Redis as it is (what must fit is the
 * sum a cell would hold, which the write script checks), and a dead letter keeps what could not be written.
 *
 * @example
 * ```ts
 * exactDecimal(addNum(parseNum('1e20'), parseNum('1e-19'))); // '100000000000000000000.0000000000000000001'
 * exactDecimal(5); // '5'
 * ```
 */
export function exactDecimal(v: Num): string {
  try {
    return toDynamoN(v);
  } catch (e) {
    if (isDynotallyError(e, 'NUMBER_OUT_OF_RANGE') && typeof v === 'object' && 'toFixed' in v)
      return v.toFixed();
    throw e;
  }
}

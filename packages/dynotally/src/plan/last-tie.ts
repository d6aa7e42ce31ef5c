import type { Num } from '../numbers/index.ts';

/** The DynamoDB type tags a `last()` value can have, in the order a tie of event times ranks them. */
export type LastValueType = 'BOOL' | 'N' | 'S';

/**
 * How a `last()` value breaks a tie of event times against the stored one, for the conditional write: the same order
 * as the fold's `compareScalar` (booleans below numbers below strings; `true` above `false`; numbers by value; strings
 * by UTF-8 bytes, which DynamoDB's `<` compares). DynamoDB has no `<` for booleans, and `<` between two types is
 * false, so those ties are decided by the stored value's type (`typesBelow`: a stored value of one of them loses) or,
 * for `true`, by a stored `false` (`beatsFalse`). `comparable`: the value's own type is ordered by `<`.
 *
 * @example
 * ```ts
 * lastTie('on'); // { typesBelow: ['BOOL', 'N'], comparable: true, beatsFalse: false }
 * lastTie(true); // { typesBelow: [], comparable: false, beatsFalse: true }
 * ```
 */
export function lastTie(value: Num | string | boolean): {
  readonly typesBelow: readonly LastValueType[];
  readonly comparable: boolean;
  readonly beatsFalse: boolean;
} {
  if (typeof value === 'boolean') return value ? TRUE_TIE : FALSE_TIE;
  return typeof value === 'string' ? STRING_TIE : NUMBER_TIE;
}

const TRUE_TIE = { typesBelow: [], comparable: false, beatsFalse: true } as const;
const FALSE_TIE = { typesBelow: [], comparable: false, beatsFalse: false } as const;
const NUMBER_TIE = { typesBelow: ['BOOL'], comparable: true, beatsFalse: false } as const;
const STRING_TIE = { typesBelow: ['BOOL', 'N'], comparable: true, beatsFalse: false } as const;

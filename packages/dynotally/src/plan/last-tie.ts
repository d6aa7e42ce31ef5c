import { SCALAR_TYPE_ORDER, type ScalarTypeTag, scalarTypeTag } from '../fold/scalar-type-order.ts';
import type { Num } from '../numbers/index.ts';

/** The DynamoDB type tags a `last()` value can have, ranked in a tie of event times by `SCALAR_TYPE_ORDER`. */
export type LastValueType = ScalarTypeTag;

/**
 * How a `last()` value breaks a tie of event times against the stored one, for the conditional write: the same order
 * as the fold's `compareScalar` (types ranked by the one list both use, `SCALAR_TYPE_ORDER`: booleans below numbers
 * below strings; `true` above `false`; numbers by value; strings by UTF-8 bytes, which DynamoDB's `<` compares). DynamoDB has no `<` for booleans, and `<` between two types is
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

/** The tie rule of a value of type `tag`: a stored value of any type ranked below it loses to it. */
function tieOf(tag: LastValueType, comparable: boolean, beatsFalse: boolean) {
  const typesBelow = SCALAR_TYPE_ORDER.slice(0, SCALAR_TYPE_ORDER.indexOf(tag));
  return { typesBelow, comparable, beatsFalse } as const;
}

// DynamoDB has no `<` for booleans (not comparable); `true` beats a stored `false`
const TRUE_TIE = tieOf(scalarTypeTag(true), false, true);
const FALSE_TIE = tieOf(scalarTypeTag(false), false, false);
const NUMBER_TIE = tieOf(scalarTypeTag(0), true, false);
const STRING_TIE = tieOf(scalarTypeTag(''), true, false);

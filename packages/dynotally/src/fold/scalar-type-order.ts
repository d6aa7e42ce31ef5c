import type { Num } from '../numbers/index.ts';

/** The DynamoDB type tags a `min` / `max` / `last` value can have. */
export type ScalarTypeTag = 'BOOL' | 'N' | 'S';

/**
 * The order of the value types when two values of different types meet: booleans below numbers below strings. The
 * fold's `compareScalar` and the conditional write's tie-break (`plan/last-tie.ts`) both rank types by this one
 * list, so a tie of `last()` event times is decided alike in a batch and in the store.
 *
 * @example
 * ```ts
 * SCALAR_TYPE_ORDER.indexOf('N'); // 1
 * ```
 */
export const SCALAR_TYPE_ORDER: readonly ScalarTypeTag[] = ['BOOL', 'N', 'S'];

/**
 * The type tag of a value (a `Num` is a number).
 *
 * @example
 * ```ts
 * scalarTypeTag('on'); // 'S'
 * ```
 */
export function scalarTypeTag(v: Num | string | boolean): ScalarTypeTag {
  return typeof v === 'boolean' ? 'BOOL' : typeof v === 'string' ? 'S' : 'N';
}

/**
 * The rank of a value's type in {@link SCALAR_TYPE_ORDER}: 0 for a boolean, 1 for a number, 2 for a string.
 *
 * @example
 * ```ts
 * scalarTypeRank('on'); // 2
 * scalarTypeRank(false); // 0
 * ```
 */
export function scalarTypeRank(v: Num | string | boolean): number {
  return SCALAR_TYPE_ORDER.indexOf(scalarTypeTag(v));
}

/**
 * True when the string is well-formed UTF-16: no lone surrogate (half of a character outside the Basic Multilingual
 * Plane, as `'ab😀'.slice(0, 3)` leaves). DynamoDB stores strings as UTF-8, which cannot hold such a half: on
 * DynamoDB Local keys differing only in one were a single key, so a group value must be well-formed.
 *
 * @example
 * ```ts
 * isWellFormedText('ab😀'); // true
 * isWellFormedText('ab\uD83D'); // false
 * ```
 */
export function isWellFormedText(s: string): boolean {
  // String.prototype.isWellFormed (Node 20+; the TypeScript lib here predates its typing)
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Orders two strings as DynamoDB does: by their UTF-8 bytes, which is code point order. JavaScript's `<` compares
 * UTF-16 code units instead, and the two disagree when a character outside the Basic Multilingual Plane (stored as
 * two surrogates, 0xD800–0xDFFF) meets one from U+E000 to U+FFFF: `'😀' < 'Ａ'` in JavaScript, while DynamoDB keeps
 * `'😀'` as the larger. A condition the store evaluates (`last`'s tie on equal event times) and the same choice made
 * in memory (a batch, a query, `verify`) must agree, or the stored value depends on how records were batched.
 *
 * @returns a negative number, 0 or a positive number, as `a` sorts before, with or after `b`
 *
 * @example
 * ```ts
 * compareCodePoints('\u{1F600}', '\uFF21'); // 1: the emoji is the larger, as in DynamoDB
 * compareCodePoints('a', 'b'); // -1
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * A code unit's place in code point order: units from 0xE000 up come after every surrogate (the characters two
 * surrogates make are above U+FFFF), so surrogates move above them; below 0xD800 the order is unchanged.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** The most characters of a value a message shows; a longer one is cut there, saying how long it was. */
const MAX_SHOWN = 200;

/**
 * A caller's value as an error message shows it, without ever throwing: JSON where JSON can say it (`"24h"`,
 * `{"calendar":"month"}`, an object without a prototype as `{}`), a bigint as `10n` (also inside an object, as
 * `"10n"`), a symbol or function by its name, and anything JSON cannot print (a cycle, a `toJSON` that throws) by
 * `String`, else its tag, else `[unprintable object]` (a revoked Proxy, or one whose traps throw, fails all three). A
 * message that called `JSON.stringify` or `String` on a bigint or a bare object threw a TypeError in place of the
 * coded error it was building. Text over 200 characters is cut there and says how long it was (a megabyte string as
 * a duration made a megabyte message; review s41v).
 *
 * @example
 * ```ts
 * shownValue(10n); // '10n'
 * shownValue({ last: 10n }); // '{"last":"10n"}'
 * shownValue(Object.create(null)); // '{}'
 * shownValue('x'.repeat(1e6)); // '"xxx…x… (1000002 characters)' (200 of them shown)
 * ```
 */
export function shownValue(v: unknown): string {
  const text = shown(v);
  if (text.length <= MAX_SHOWN) return text;
  // never cut a character in half (a lone surrogate would be shown as a replacement character)
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_SHOWN - 1)) ? MAX_SHOWN - 1 : MAX_SHOWN;
  return `${text.slice(0, end)}… (${text.length} characters)`;
}

function shown(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') {
    try {
      return `[function ${(v as { name?: unknown }).name || 'anonymous'}]`;
    } catch {
      return '[function]'; // a Proxy whose get trap throws
    }
  }
  try {
    const json = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
    if (json !== undefined) return json;
  } catch {
    // a cycle, or a toJSON that throws: say what String says
  }
  try {
    return String(v);
  } catch {
    // an object without a prototype whose toJSON threw, a Proxy: its tag
  }
  try {
    return Object.prototype.toString.call(v);
  } catch {
    return '[unprintable object]'; // a revoked Proxy, or one whose traps throw
  }
}

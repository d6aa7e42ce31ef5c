/**
 * A caller's value as an error message shows it, without ever throwing: JSON where JSON can say it (`"24h"`,
 * `{"calendar":"month"}`, an object without a prototype as `{}`), a bigint as `10n` (also inside an object, as
 * `"10n"`), a symbol or function by its name, and anything JSON cannot print (a cycle, a `toJSON` that throws) by
 * `String`, else its tag. A message that called `JSON.stringify` or `String` on a bigint or a bare object threw a
 * TypeError in place of the coded error it was building.
 *
 * @example
 * ```ts
 * shownValue(10n); // '10n'
 * shownValue({ last: 10n }); // '{"last":"10n"}'
 * shownValue(Object.create(null)); // '{}'
 * ```
 */
export function shownValue(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return `[function ${v.name || 'anonymous'}]`;
  try {
    const json = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
    if (json !== undefined) return json;
  } catch {
    // a cycle, or a toJSON that throws: say what String says
  }
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

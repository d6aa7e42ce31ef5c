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
  return cutText(shown(v));
}

/**
 * A caller's text as a message quotes it (`'${shownText(name)}'`): the text itself when it has at most 200
 * characters, else its first 200 and how long it was, as {@link shownValue} cuts. For names and texts a message
 * quotes as they are (a group attribute's name, a number's text); a value that should have been text and is not
 * (a rollup's `name: 42`, a `storeAs` object) is shown as `shownValue` shows it, so quoting it never throws (as
 * `String` does on an object without a prototype).
 *
 * @example
 * ```ts
 * shownText('customerId'); // 'customerId'
 * shownText('k'.repeat(1e6)); // 'kkk…k… (1000000 characters)' (200 of them shown)
 * shownText(42); // '42'
 * ```
 */
export function shownText(s: unknown): string {
  return typeof s === 'string' ? cutText(s) : shownValue(s);
}

/**
 * A caller's value as an error's `details` carries it: the value itself when {@link shownValue} shows it whole
 * (at most 200 characters), else what `shownValue` shows of it (a string, cut): a megabyte group value in
 * `details` made a megabyte error object (and log line) as much as in its message.
 *
 * @example
 * ```ts
 * shownDetail({ g: 'x' }); // { g: 'x' } (the same object)
 * shownDetail({ g: 'x'.repeat(1e6) }); // '{"g":"xxx…x… (1000008 characters)' (200 of them shown)
 * ```
 */
export function shownDetail(v: unknown): unknown {
  const text = shown(v);
  return text.length <= MAX_SHOWN ? v : cutText(text);
}

/**
 * `text` cut to {@link MAX_SHOWN} characters, saying how long it was: never inside a character (a lone surrogate
 * would be shown as a replacement character) nor inside one of JSON's escapes (`\u00e9`, `\"`), which a cut
 * would leave as a stray backslash or a broken `\u00` (review s42q).
 */
function cutText(text: string): string {
  if (text.length <= MAX_SHOWN) return text;
  let end = MAX_SHOWN;
  // walk the escapes from the start: a backslash preceded by an escaping one is not an escape's start
  for (let i = text.indexOf('\\'); i !== -1 && i < end; i = text.indexOf('\\', i)) {
    const len = text.charAt(i + 1) === 'u' ? 6 : 2;
    if (i + len > end) {
      end = i;
      break;
    }
    i += len;
  }
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
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

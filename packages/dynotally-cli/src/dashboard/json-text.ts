/**
 * JSON for the dashboard: a `bigint` (a group value or count beyond 2^53) becomes its exact decimal string,
 * a `Map` an object, a `Set` an array and a non-finite number its name; a `Decimal` already serialises as its
 * exact string (`toJSON`). `JSON.stringify` alone throws on the first `bigint`.
 *
 * @example
 * ```ts
 * jsonText({ storeId: 2n ** 60n + 1n }); // '{"storeId":"1152921504606846977"}'
 * ```
 */
export function jsonText(body: unknown): string {
  return JSON.stringify(body, replacer);
}

/**
 * {@link jsonText} made safe inside an HTML `<script type="application/json">` element: `<`, `>`, `&` and the
 * two JavaScript line terminators are written as `\uXXXX` escapes, so no value (a group named
 * `</script><script>…`) can end the element or open markup. `JSON.parse` of the element's text gives the value back.
 *
 * @example
 * ```ts
 * scriptSafeJson({ g: '</script>' }); // '{"g":"\\u003c/script\\u003e"}'
 * ```
 */
export function scriptSafeJson(body: unknown): string {
  return jsonText(body).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

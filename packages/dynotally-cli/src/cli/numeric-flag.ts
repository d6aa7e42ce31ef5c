import { shownText } from 'dynotally/local';
import { z } from 'zod';

/** A decimal number as a flag carries it: digits, an optional sign and fraction; no blanks, hex or exponents. */
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A numeric flag read from its text: the trimmed value must be a decimal number. `z.coerce.number()` alone reads
 * `''` and `' '` as 0, so `--port "$PORT"` with PORT unset would silently mean "any port"; this refuses them
 * with `message`. Chain the bounds on the result (`.int()`, `.min()`, …) with `.pipe()`.
 *
 * @example
 * ```ts
 * const seconds = numericFlag('expected a number of seconds, e.g. 30').pipe(z.number().int().min(1));
 * seconds.parse(' 30 '); // 30
 * seconds.safeParse('').success; // false
 * ```
 */
export function numericFlag(message: string): z.ZodPipe<z.ZodString, z.ZodTransform<number, string>> {
  return z.string({ message }).transform((text, ctx) => {
    const trimmed = text.trim();
    if (!NUMERIC.test(trimmed)) {
      ctx.addIssue({ code: 'custom', message: `'${shownText(text)}' is not a number: ${message}` });
      return z.NEVER;
    }
    return Number(trimmed);
  });
}

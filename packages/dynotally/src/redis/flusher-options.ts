import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';

/**
 * Checks {@link createFlusher}'s numeric options that nothing else checks, as the `Applier` checks its own: each
 * would otherwise lose or block counts without an error. `concurrency` 0 or NaN (an unset environment variable
 * through `Number`) started no write and marked every bucket done, its rows never written; a negative `graceMs`
 * sealed buckets before they closed (row markers from the future); a NaN `graceMs` or `keepFlushedMs` failed the
 * seal or done script on every run, and so did a fractional `keepFlushedMs` (PEXPIRE takes whole milliseconds); a
 * `lockMs` of 0 is refused by Redis on every run (review s40r, test/review/s40r-flusher-options.int.test.ts; s40y).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the option: `concurrency` and `lockMs` must be whole numbers of 1
 * or more, `keepFlushedMs` a whole number of 0 or more, `graceMs` a finite number of 0 or more.
 *
 * @example
 * ```ts
 * checkFlusherOptions({ concurrency: 16, graceMs: 10_000 }); // passes
 * checkFlusherOptions({ concurrency: Number(process.env.UNSET) }); // throws CONFIG_INVALID (NaN)
 * ```
 */
export function checkFlusherOptions(options: {
  concurrency?: number | undefined;
  graceMs?: number | undefined;
  keepFlushedMs?: number | undefined;
  lockMs?: number | undefined;
}): void {
  const bad = (name: string, value: unknown, expected: string): DynotallyError =>
    new DynotallyError(
      'CONFIG_INVALID',
      `the flusher's ${name} is ${shownValue(value)}: expected ${expected}`,
      {
        details: { [name]: shownDetail(value) },
      },
    );
  const { concurrency, graceMs, keepFlushedMs, lockMs } = options;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1))
    throw bad('concurrency', concurrency, 'a whole number of parallel row writes, 1 or more (default 16)');
  if (graceMs !== undefined && !(Number.isFinite(graceMs) && graceMs >= 0))
    throw bad(
      'graceMs',
      graceMs,
      'milliseconds, 0 or more (default 10000): a bucket closes this long after its end',
    );
  // a whole number: it goes to PEXPIRE, which refuses anything else (a fraction failed every flush: review s40y)
  if (keepFlushedMs !== undefined && !(Number.isInteger(keepFlushedMs) && keepFlushedMs >= 0))
    throw bad('keepFlushedMs', keepFlushedMs, 'a whole number of milliseconds, 0 or more (default 300000)');
  if (lockMs !== undefined && !(Number.isInteger(lockMs) && lockMs >= 1))
    throw bad('lockMs', lockMs, 'a whole number of milliseconds, 1 or more (default 60000)');
}

// What a test asserts of a refusal: its stable code.
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';

/**
 * The code of the `DynotallyError` a promise rejects with; undefined when it resolves. Any other error is thrown
 * again.
 *
 * @example
 * ```ts
 * expect(await codeOf(runBackfill(options))).toBe('BACKFILL_REFUSED');
 * ```
 */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
}

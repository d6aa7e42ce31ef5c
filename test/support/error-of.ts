// The DynotallyError a call throws, for tests that assert on its code, message and details.
import { type DynotallyError, isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';

/**
 * Runs `fn` and returns the DynotallyError it throws; anything else it throws is rethrown, and returning is an
 * error.
 *
 * @example
 * ```ts
 * expect(errorOf(() => query.explain.total('nope', group, { last: '24h' })).code).toBe('UNKNOWN_ROLLUP');
 * ```
 */
export function errorOf(fn: () => unknown): DynotallyError {
  try {
    fn();
  } catch (e) {
    if (isDynotallyError(e)) return e;
    throw e;
  }
  throw new Error('expected a DynotallyError');
}

import type { WriteSide } from 'dynotally';

/**
 * `side` with its `apply` replaced by `apply`, every other member kept: the worker asks a write side more than
 * `apply` (its `deadLetterProbe` settles the claims of skipped records and says which rows their letters must
 * replay; a wrapper that drops it makes the worker treat every row as pending, so a replay counts rows the batch
 * had written again). A member added to `WriteSide` later must be forwarded here too.
 *
 * @example
 * ```ts
 * const side = withApply(inner, async (input) => {
 *   await check();
 *   return inner.apply(input);
 * });
 * ```
 */
export function withApply(side: WriteSide, apply: WriteSide['apply']): WriteSide {
  const probe = side.deadLetterProbe;
  return {
    rollups: side.rollups,
    apply,
    ...(probe === undefined ? {} : { deadLetterProbe: (input) => probe.call(side, input) }),
  };
}

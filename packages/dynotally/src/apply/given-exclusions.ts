import type { StoredExclusions } from './exclusions.ts';

/** The shard's exclusions read for a batch's late records (`lateToSettle`), and the pages that read learnt of them. */
export interface ExclusionsRead {
  readonly stored: StoredExclusions;
  readonly pages: Map<string, number>;
}

/** Inputs handed to an Applier with the exclusions their caller already read (never part of `ApplyInput`). */
const given = new WeakMap<object, ExclusionsRead>();

/**
 * A copy of `input` that carries `read` to `Applier.apply`, which then uses it instead of reading the shard's
 * exclusions again: for the Redis buffer, whose late split read them just before its direct fallback hands the rest of
 * the batch to its inner Applier (nothing writes them in between). Without a read, `input` as it is.
 *
 * @example
 * ```ts
 * await this.direct.apply(givenExclusions({ records, shardId }, read));
 * ```
 */
export function givenExclusions<T extends object>(input: T, read: ExclusionsRead | undefined): T {
  if (read === undefined) return input;
  const out = { ...input };
  given.set(out, read);
  return out;
}

/**
 * The read {@link givenExclusions} attached to `input`, if any.
 *
 * @example
 * ```ts
 * return this.applyPart(input, undefined, undefined, exclusionsGiven(input));
 * ```
 */
export function exclusionsGiven(input: object): ExclusionsRead | undefined {
  return given.get(input);
}

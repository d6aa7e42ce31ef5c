/**
 * The `name` of a thrown value (an AWS SDK error's exception name, e.g. `ResourceNotFoundException`), or undefined.
 *
 * @example
 * ```ts
 * if (errorName(e) === 'TrimmedDataAccessException') iterator = await horizon();
 * ```
 */
export const errorName = (e: unknown): string | undefined => (e as { name?: string } | undefined)?.name;

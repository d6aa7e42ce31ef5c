import { DynotallyError } from '../errors/index.ts';

/**
 * The segments a process runs, in order and without repeats: `onlySegments` when given, else all of them. Checked
 * against the count the backfill builds with (known only once its start is recorded: another process may have
 * recorded another count first).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for an empty list, or a segment that is not a whole number below the
 *   count.
 * @example
 * ```ts
 * ownSegments([3, 1, 3], 4); // [1, 3]
 * ownSegments(undefined, 3); // [0, 1, 2]
 * ```
 */
export function ownSegments(onlySegments: readonly number[] | undefined, segments: number): number[] {
  if (onlySegments === undefined) return Array.from({ length: segments }, (_, i) => i);
  const outside = onlySegments.filter((s) => !Number.isInteger(s) || s < 0 || s >= segments);
  if (onlySegments.length === 0 || outside.length > 0)
    throw new DynotallyError(
      'CONFIG_INVALID',
      onlySegments.length === 0
        ? 'onlySegments is empty: name at least one segment, or leave it out to run them all'
        : `onlySegments holds ${outside
            .slice(0, 5)
            .map((s) => String(s))
            .join(
              ', ',
            )}${outside.length > 5 ? ', …' : ''}, outside the backfill's ${segments} ${segments === 1 ? 'segment' : 'segments'} 0 to ${segments - 1} (the CLI's --only-segments; the count is --segments, or the one the backfill started with)`,
      { details: { outside: outside.slice(0, 20), segments } },
    );
  return [...new Set(onlySegments)].sort((a, b) => a - b);
}

import { DynotallyError } from '../errors/index.ts';

/**
 * Segments of a parallel Scan a process reads at once unless told otherwise: each holds a page (up to 1 MB) and
 * what is made of it (a backfill's chunk: its claims and rows), so 8 keep a process under some tens of MB, and 8
 * pages' round trips keep one core busy (the fold takes about 0.75 ms of CPU per item; a chunk's requests take a
 * few hundred ms).
 */
export const DEFAULT_SEGMENT_CONCURRENCY = 8;

/**
 * The segments a process scans at once: `given`, else {@link DEFAULT_SEGMENT_CONCURRENCY}. Shared by
 * `runBackfill` and `verify` (their `segmentConcurrency`), which run their segments through `mapLimit` with it.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for anything but a whole number from 1 to 1,000.
 * @example
 * ```ts
 * await mapLimit(segments, segmentConcurrencyOf(options.segmentConcurrency), scanSegment);
 * ```
 */
export function segmentConcurrencyOf(given: number | undefined): number {
  const segmentConcurrency = given ?? DEFAULT_SEGMENT_CONCURRENCY;
  if (!Number.isInteger(segmentConcurrency) || segmentConcurrency < 1 || segmentConcurrency > 1_000)
    throw new DynotallyError('CONFIG_INVALID', 'segmentConcurrency must be a whole number from 1 to 1,000', {
      details: { segmentConcurrency },
    });
  return segmentConcurrency;
}

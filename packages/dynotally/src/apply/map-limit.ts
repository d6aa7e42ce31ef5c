import { DynotallyError } from '../errors/index.ts';

/**
 * Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after the in-flight
 * calls settle (nothing is left running behind the caller's back). A long call (a segment's whole Scan) can end
 * early once another has failed: `failed()` says so, checked between its pages.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when there are items and `limit` is below 1 or NaN (a concurrency
 * option of 0, or an unset environment variable through `Number`): no call would run, and the caller would go on as if
 * every item had been done (the Redis flusher marked buckets done with no row written: review s40r).
 *
 * @example
 * ```ts
 * await mapLimit(plan.rows, 32, (row) => writeRow(row));
 * await mapLimit(segments, 8, async (s, _, failed) => {
 *   do { page = await scanPage(s, page); } while (page.next !== undefined && !failed());
 * });
 * ```
 */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number, failed: () => boolean) => Promise<void>,
): Promise<void> {
  if (items.length > 0 && !(limit >= 1))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `a concurrency of ${limit} runs nothing: give a whole number of 1 or more`,
      { details: { concurrency: limit } },
    );
  let next = 0;
  let failure: { error: unknown } | undefined;
  const failed = () => failure !== undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i, failed);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

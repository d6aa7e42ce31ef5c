/**
 * Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after the in-flight
 * calls settle (nothing is left running behind the caller's back). A long call (a segment's whole Scan) can end
 * early once another has failed: `failed()` says so, checked between its pages.
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

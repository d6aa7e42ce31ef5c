/**
 * Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after the in-flight
 * calls settle (nothing is left running behind the caller's back).
 *
 * @example
 * ```ts
 * await mapLimit(plan.rows, 32, (row) => writeRow(row));
 * ```
 */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

/**
 * Runs one request (`call` sends it with the signal it is given) with a signal that ends it after `timeoutMs`
 * (`Infinity`: never), for a client passed in without request timeouts. A request ended by the bound rejects with a
 * `TimeoutError` (which `withRetry` retries), whatever the client made of the abort. One timer per call, cleared as
 * soon as the call settles, and no listener on any long-lived signal (see `boundedRead` on `AbortSignal.any`).
 *
 * With `stop` (the worker's stop during its start), the request is also ended when `stop` aborts, and rejects with
 * `stop.reason` (an `AbortError`, which `withRetry` does not retry); none is sent once it has. Its listener is removed
 * as soon as the call settles.
 *
 * @example
 * ```ts
 * const out = await boundedCall(10_000, 'UpdateItem', (abortSignal) =>
 *   client.send(new UpdateItemCommand(params), { abortSignal }),
 * );
 * ```
 */
export async function boundedCall<T>(
  timeoutMs: number,
  what: string,
  call: (signal: AbortSignal | undefined) => Promise<T>,
  stop?: AbortSignal,
): Promise<T> {
  if (timeoutMs === Number.POSITIVE_INFINITY && stop === undefined) return call(undefined);
  stop?.throwIfAborted();
  const bound = new AbortController();
  const reason = new DOMException(`${what} did not answer within ${timeoutMs} ms`, 'TimeoutError');
  const timer =
    timeoutMs === Number.POSITIVE_INFINITY ? undefined : setTimeout(() => bound.abort(reason), timeoutMs);
  const onStop = (): void => bound.abort(stop?.reason);
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    return await call(bound.signal);
  } catch (e) {
    // the bound's or the stop's reason, whatever the client made of the abort
    throw bound.signal.aborted ? bound.signal.reason : e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}

/**
 * The least bound of one coordination request (`DescribeStream`, `DescribeTable`, `ListStreams`): these are bounded by
 * `readTimeoutMs` so that one that never answers cannot hold a start, discovery or `stop()` for good (reviews s38w,
 * s39v), but a `readTimeoutMs` chosen short for the stream reads (say 200 ms against a region 150 ms away, or 20 ms
 * in a test) must not give up every listing on a busy network or a loaded machine, where no shard would be found.
 */
export const COORDINATION_TIMEOUT_FLOOR_MS = 2_000;

/**
 * The bound of one coordination request: `readTimeoutMs`, and at least {@link COORDINATION_TIMEOUT_FLOOR_MS}.
 *
 * @example
 * ```ts
 * coordinationTimeoutMs(30_000); // 30000
 * coordinationTimeoutMs(20); // 2000
 * ```
 */
export function coordinationTimeoutMs(readTimeoutMs: number): number {
  return Math.max(readTimeoutMs, COORDINATION_TIMEOUT_FLOOR_MS);
}

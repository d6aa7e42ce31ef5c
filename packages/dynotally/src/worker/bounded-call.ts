/**
 * Runs one request (`call` sends it with the signal it is given) with a signal that ends it after `timeoutMs`
 * (`Infinity`: never), for a client passed in without request timeouts. A request ended by the bound rejects with a
 * `TimeoutError` (which `withRetry` retries), whatever the client made of the abort. One timer per call, cleared as
 * soon as the call settles, and no listener on any long-lived signal (see `boundedRead` on `AbortSignal.any`).
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
): Promise<T> {
  if (timeoutMs === Number.POSITIVE_INFINITY) return call(undefined);
  const bound = new AbortController();
  const reason = new DOMException(`${what} did not answer within ${timeoutMs} ms`, 'TimeoutError');
  const timer = setTimeout(() => bound.abort(reason), timeoutMs);
  try {
    return await call(bound.signal);
  } catch (e) {
    throw bound.signal.aborted ? reason : e;
  } finally {
    clearTimeout(timer);
  }
}

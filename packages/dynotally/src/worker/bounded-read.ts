/**
 * Runs one stream read (`read` sends the request with the signal it is given) with a signal that ends it after
 * `timeoutMs` (`Infinity`: never) or when `stop` aborts, and frees its timer and its listener on `stop` as soon as the
 * read settles. Not `AbortSignal.any([stop, AbortSignal.timeout(ms)])`: on Node 20 every signal `any` makes stays
 * referenced by the long-lived `stop` signal (measured on 20.20.2 by `bench/read-bound-retention.ts`: 1,200,000 reads
 * kept 1,200,000 signals, 76.5 MiB, where this keeps 0.3 MiB; nodejs/node#55351), and a consumer reads several times
 * a second for hours.
 *
 * @example
 * ```ts
 * const page = await boundedRead(stop.signal, 30_000, (abortSignal) =>
 *   streams.send(new GetRecordsCommand({ ShardIterator: iterator }), { abortSignal }),
 * );
 * ```
 */
export async function boundedRead<T>(
  stop: AbortSignal,
  timeoutMs: number,
  read: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const bound = new AbortController();
  const onStop = (): void => bound.abort(stop.reason);
  if (stop.aborted) bound.abort(stop.reason);
  else stop.addEventListener('abort', onStop, { once: true });
  const timer =
    timeoutMs === Number.POSITIVE_INFINITY
      ? undefined
      : setTimeout(
          () => bound.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
          timeoutMs,
        );
  try {
    return await read(bound.signal);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

/**
 * Waits `ms` milliseconds, or less when `signal` aborts (it never rejects), so a stopping worker does not
 * sit out a poll interval or a retry backoff.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * await sleep(250, stop.signal); // returns at once after stop.abort()
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

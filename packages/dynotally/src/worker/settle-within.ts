/**
 * `call`, or a rejection with `timedOut()`'s error once `ms` have passed without it settling (`ms` not finite: `call`
 * itself). The call goes on (a promise cannot be interrupted); when it settles after the timeout, `late` is told how
 * (its rejection is never unhandled).
 *
 * @example
 * ```ts
 * const response = await settleWithin(handler(event), 300_000, () => new Error('hung'), (late) => log(late));
 * ```
 */
export function settleWithin<T>(
  call: Promise<T>,
  ms: number,
  timedOut: () => Error,
  late: (outcome: { ok: true; afterMs: number } | { ok: false; afterMs: number; error: unknown }) => void,
): Promise<T> {
  if (!Number.isFinite(ms)) return call;
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(timedOut());
      call.then(
        () => late({ ok: true, afterMs: Date.now() - started }),
        (error: unknown) => late({ ok: false, afterMs: Date.now() - started, error }),
      );
    }, ms);
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

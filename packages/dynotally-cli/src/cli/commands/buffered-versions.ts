import { DynotallyError, type WriteSide } from 'dynotally';
import { withApply } from './wrapped-side.ts';

/**
 * The Redis buffer's refusal for rollup versions (`checkBufferedVersions` of `dynotally/redis`: a rollup's control
 * item says that version-1 rows of the configured definition are not all that should be written) in the worker's
 * words: `CONFIG_INVALID` naming the rollup and what to run instead, the library's refusal as its cause.
 *
 * @example
 * ```ts
 * try { await buffer.checkBufferedVersions({ client, table, rollups }); }
 * catch (e) { throw buffer.isBufferedVersionRefusal(e) ? workerVersionRefusal(e) : e; }
 * ```
 */
export function workerVersionRefusal(refusal: DynotallyError): DynotallyError {
  const rollup = String(refusal.details.rollup);
  return new DynotallyError(
    'CONFIG_INVALID',
    `worker --redis: ${String(refusal.details.problem)}; run the worker without --redis (it writes every version: dynotally worker --help), or see dynotally rollups status ${rollup}`,
    { details: { rollup, serving: refusal.details.serving }, cause: refusal },
  );
}

/**
 * The buffered write side, stopping the worker on the batch the buffered applier refuses for rollup versions
 * (`isRefusal`: `isBufferedVersionRefusal` of `dynotally/redis`). The applier reads the control items before every
 * batch and refuses it, before anything is written, once version 1 is no longer all there is to write (a repair, a
 * backfill or a direct worker registered another version while this worker ran); `stop` is then called with the
 * refusal in the worker's words ({@link workerVersionRefusal}), so the worker stops without checkpointing the batch
 * (a stopping worker abandons a failed batch instead of retrying or dead-lettering it), and a worker without
 * `--redis` takes the records up from there through the versions. Any other failure is the worker's usual retry.
 *
 * @example
 * ```ts
 * const side = guardedBufferedSide(buffered.start(client), buffered.isVersionRefusal, (e) => {
 *   reason ??= e;
 *   void worker.stop();
 * });
 * ```
 */
export function guardedBufferedSide(
  side: WriteSide,
  isRefusal: (e: unknown) => e is DynotallyError,
  stop: (reason: DynotallyError) => void,
): WriteSide {
  return withApply(side, async (input) => {
    try {
      return await side.apply(input);
    } catch (e) {
      if (!isRefusal(e)) throw e;
      const reason = workerVersionRefusal(e);
      stop(reason);
      throw reason;
    }
  });
}

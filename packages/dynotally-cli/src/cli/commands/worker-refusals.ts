import { DynotallyError, isDynotallyError, type WriteSide } from 'dynotally';
import { withApply } from './wrapped-side.ts';
import type { WritingCommand } from './writing-command.ts';

/**
 * The codes with which the versioned write side refuses a batch for the worker's configuration, never for the
 * records: a newer version of a rollup whose definition the configuration does not have (`VERSION_NOT_DEPLOYED`),
 * or a configured definition whose versions are all retired (`VERSION_UNKNOWN`).
 */
const REFUSALS = ['VERSION_NOT_DEPLOYED', 'VERSION_UNKNOWN'] as const;

/**
 * The direct worker's write side, stopping the worker on a batch the write side refuses for the worker's
 * configuration ({@link REFUSALS}): the batch fails before anything is written and `stop` is called with the
 * reason in the command line's terms, so the worker stops without checkpointing it (a stopping worker abandons a
 * failed batch instead of retrying or dead-lettering it) and releases its leases: the shards go to workers whose
 * configuration has the version, and the process exits with the reason (exit 1) instead of holding its shards
 * and retrying until it is restarted. Any other failure is the worker's usual retry. Every other member of the side
 * (its dead-letter probe) is kept ({@link withApply}). The reason names `command` (`worker`, the default, or `dev`,
 * whose whole stack stops).
 *
 * @example
 * ```ts
 * const side = stopOnRefusal(directWriteSide(client, settings, flags), (e) => {
 *   reason ??= e;
 *   void worker.stop();
 * });
 * ```
 */
export function stopOnRefusal(
  side: WriteSide,
  stop: (reason: DynotallyError) => void,
  command: WritingCommand = 'worker',
): WriteSide {
  return withApply(side, async (input) => {
    try {
      return await side.apply(input);
    } catch (e) {
      const code = REFUSALS.find((c) => isDynotallyError(e, c));
      if (code !== undefined)
        stop(
          new DynotallyError(
            code,
            `${command} stopped, the batch left unwritten for a worker whose configuration has the version: ${(e as DynotallyError).message}`,
            { details: (e as DynotallyError).details, cause: e },
          ),
        );
      throw e;
    }
  });
}

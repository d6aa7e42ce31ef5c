import type { RedeliveryOptions } from '../apply/redelivery-horizon.ts';

/**
 * The redelivery bound the stream worker gives its built-in handler, from its `maxRecordAgeMs`: records past it are
 * never applied (dead-lettered), so shard states may be pruned sooner; without it, none (-1): the stream's 24 h
 * retention bounds redelivery. Always given, so the handler never takes a Lambda deployment's
 * DYNOTALLY_MAX_RECORD_AGE_SECONDS from this process's environment (a worker that does not drop old records, pruning
 * by a Lambda mapping's shorter age, could count a record twice).
 *
 * @example
 * ```ts
 * workerRedelivery(undefined); // { maxRecordAgeSeconds: -1 }
 * ```
 */
export function workerRedelivery(maxRecordAgeMs: number | undefined): RedeliveryOptions {
  return {
    maxRecordAgeSeconds:
      maxRecordAgeMs === undefined || !Number.isFinite(maxRecordAgeMs)
        ? -1
        : Math.max(1, maxRecordAgeMs / 1000),
  };
}

import type { RedeliveryOptions } from '../apply/redelivery-horizon.ts';

/**
 * The redelivery bound the stream worker gives its built-in handler: none (-1), so shard states are pruned only past
 * the stream's 24 h retention (plus the margin), whatever the worker's `maxRecordAgeMs`. A record past that age is
 * not applied, but the worker still reads it while the stream holds it and dead-letters it with the rows that do not
 * hold it yet (`pendingRowsOf`, which reads the shard's states): a state pruned by a shorter horizon would make a
 * row that holds the record look pending, and the letter's replay would count it there twice
 * (`test/review/s25b-worker-probe-after-prune.int.test.ts`). Always given, so the handler never takes a Lambda
 * deployment's DYNOTALLY_MAX_RECORD_AGE_SECONDS from this process's environment.
 *
 * @example
 * ```ts
 * workerRedelivery(); // { maxRecordAgeSeconds: -1 }
 * ```
 */
export function workerRedelivery(): RedeliveryOptions {
  return { maxRecordAgeSeconds: -1 };
}

import { StreamWorkerRuntime } from './stream-worker.ts';
import type { StreamWorkerOptions } from './worker-options.ts';
import type { WorkerStats } from './worker-stats.ts';

/**
 * A running (or runnable) stream worker.
 *
 * @example
 * ```ts
 * const worker: StreamWorker = createStreamWorker(options);
 * await worker.start();
 * console.log(worker.stats().leasesHeld);
 * await worker.stop();
 * ```
 */
export interface StreamWorker {
  readonly workerId: string;
  /** Resolves once the worker has met the stream and taken its first leases; rejects on bad configuration. */
  start(): Promise<void>;
  /** Finishes in-flight batches, checkpoints, releases every lease and resolves when done. Idempotent. */
  stop(): Promise<void>;
  stats(): WorkerStats;
  /** Settles when the worker has stopped: resolves after `stop()`, rejects with the error `start()` failed with. */
  readonly done: Promise<void>;
}

/**
 * A stream worker: the rollups of {@link createStreamHandler}, run outside Lambda. It polls the DynamoDB
 * stream itself — shard discovery, parents before children, leases and checkpoints in a lease table shared
 * by any number of worker processes, Lambda's retry / bisect / maximum-age / dead-letter semantics — and
 * feeds every batch to the same handler Lambda runs, so exactly-once holds across worker crashes.
 *
 * @example
 * ```ts
 * import { createStreamWorker, installSignalHandlers } from 'dynotally';
 *
 * const worker = createStreamWorker({
 *   clientConfig: { region: 'eu-west-1' },
 *   sourceTable: 'jobs',
 *   leaseTable: 'dynotally-leases',
 *   table: 'dynotally-aggregates',
 *   rollups: [jobsPerCustomer],
 *   deadLetter: { table: 'dynotally-dead-letters' },
 *   onProgress: (s) => console.log(`${s.recordsPerSecond.toFixed(0)} rec/s, iterator age ${s.iteratorAgeMs} ms`),
 * });
 * installSignalHandlers(worker); // Ctrl-C / SIGTERM: checkpoint, release leases, exit
 * await worker.start();
 * ```
 */
export function createStreamWorker(options: StreamWorkerOptions): StreamWorker {
  const runtime = new StreamWorkerRuntime(options);
  return {
    workerId: runtime.workerId,
    start: () => runtime.start(),
    stop: () => runtime.stop(),
    stats: () => runtime.stats(),
    done: runtime.done,
  };
}

import { DynotallyError } from '../errors/index.ts';
import type { StreamWorker } from './create-stream-worker.ts';
import { sleep } from './sleep.ts';
import type { WorkerStats } from './worker-stats.ts';

/**
 * Options of {@link runWorkerUntilIdle}.
 *
 * @example
 * ```ts
 * const options: RunUntilIdleOptions = { quietMs: 500, timeoutMs: 60_000 };
 * ```
 */
export interface RunUntilIdleOptions {
  /** The worker must stay idle this long before it is stopped (default 1 000 ms). */
  quietMs?: number;
  /** Give up (stop the worker and throw `WORKER_ERROR`) after this long (default 120 000 ms). */
  timeoutMs?: number;
  /** Stop the worker once idle (default true). */
  stop?: boolean;
  /**
   * Other workers share the stream (default false): idle means this worker's share is done. Alone, idle also
   * needs every ready shard in this worker's hands, so a crashed worker's shards are taken over (after their
   * leases expire) before the run counts as caught up. `'auto'`: alone until the worker has watched the lease table
   * for a lease duration (`WorkerStats.leasesJudged`), then shared if other workers still hold shards: those keep
   * renewing their leases, so they are alive and their shards theirs (a crashed worker's have been taken by then).
   * What `dynotally worker --until-idle` runs with.
   */
  shared?: boolean | 'auto';
}

/**
 * Starts the worker (if it is not running), waits until it has caught up with every ready shard (with
 * `shared: true`, every shard of its fair share) and stayed idle for `quietMs`, then stops it and returns its
 * final stats. For tests, benchmarks and one-off catch-up runs.
 *
 * @example
 * ```ts
 * await writeEvents(source, 1000);
 * const stats = await runWorkerUntilIdle(createStreamWorker(options));
 * console.log(stats.records, stats.apply.writeUnits);
 * ```
 */
export async function runWorkerUntilIdle(
  worker: StreamWorker,
  options: RunUntilIdleOptions = {},
): Promise<WorkerStats> {
  const quietMs = options.quietMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  if (worker.stats().state === 'new') await worker.start();
  let idleSince: number | undefined;
  for (;;) {
    const stats = worker.stats();
    if (stats.state === 'stopped' || stats.state === 'stopping') {
      throw new DynotallyError('WORKER_ERROR', 'the worker stopped before it became idle', {
        details: { workerId: stats.workerId },
      });
    }
    const now = Date.now();
    const shared = options.shared === true || (options.shared === 'auto' && stats.leasesJudged === true);
    // alone, every ready shard must be in its hands: no other worker's lease (`heldByOthers`), and none left free
    // either, as the shares of workers that only look alive are (a crashed worker's presence, seen for the first time,
    // counts as alive for a lease duration: its share waits for this worker to take it over then)
    const alone = stats.heldByOthers === 0 && stats.leasesHeld >= stats.readyShards;
    if (stats.idle && (shared || alone)) {
      idleSince ??= now;
      if (now - idleSince >= quietMs) break;
    } else idleSince = undefined;
    if (now - started > timeoutMs) {
      await worker.stop();
      throw new DynotallyError(
        'WORKER_ERROR',
        `the worker did not become idle within ${timeoutMs} ms: raise timeoutMs, or check its stats and logs (lagging or failing shards)`,
        {
          details: { workerId: stats.workerId, stats },
        },
      );
    }
    await sleep(50);
  }
  if (options.stop ?? true) await worker.stop();
  return worker.stats();
}

// A backfill stopped after its first chunk: the state a crashed or interrupted run leaves (its progress kept), for
// the tests of what a resume or a repair does next.
import { expect } from 'vitest';
import type { BackfillOptions } from '../../packages/dynotally/src/backfill/index.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';

/**
 * Runs a backfill with `options` and stops it once its first chunk is done; expects the run to end as stopped.
 *
 * @example
 * ```ts
 * await stopAfterFirstChunk({ ...tables, rollup, client, segments: 2 });
 * ```
 */
export async function stopAfterFirstChunk(options: BackfillOptions): Promise<void> {
  const stop = new AbortController();
  const run = runBackfill({
    ...options,
    signal: stop.signal,
    onProgress: (p) => {
      if (p.chunks === 1) stop.abort();
    },
  });
  await expect(run).rejects.toThrow(/stopped/);
}

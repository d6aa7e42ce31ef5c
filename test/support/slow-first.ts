// Test-file order for a run: the known slow files first, so that on 2 workers no long file starts last and
// runs alone at the end (vitest's own order uses durations only once a run has cached them; a fresh clone
// or CI has no cache and would run files in glob order).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files measured to take longest, longest first, as paths relative to the repository root: the run of
 * 2026-12-06 01:24 UTC on a fresh clone, nearly idle (docs/performance/test-time-s28-2026-12-06.json; the default
 * reporter's per-file times), every file over 10 s. Before, `ttl-off.int` (a 20 s wait) was not listed and ran
 * last, alone. Keep it to the files that really are slowest: the rest run in vitest's order.
 */
export const SLOW_FILES: readonly string[] = [
  'test/package/consumer.int.test.ts',
  'test/review/s25d-failover-lost-move.int.test.ts',
  'packages/dynotally-cli/src/cli/flush.int.test.ts',
  'test/review/s26r-failover-after-flush.int.test.ts',
  'test/review/s17-rolling-deploy.int.test.ts',
  'packages/dynotally-cli/src/cli/worker-buffered.int.test.ts',
  'test/faults/worker.fault.test.ts',
  'test/support/ttl-off.int.test.ts',
  'packages/dynotally-cli/src/cli/dev.int.test.ts',
  'test/dashboard/dashboard.browser.test.ts',
  'test/backfill/backfill-live.property.int.test.ts',
  'test/apply/hostile-items.property.int.test.ts',
  'test/review/s18-rollback-gap.int.test.ts',
  'test/backfill/hostile-items.property.int.test.ts',
  'packages/dynotally/src/worker/worker.int.test.ts',
  'test/faults/handler.fault.test.ts',
  'test/review/s24b-next-stream-gone.int.test.ts',
  'packages/dynotally-cli/src/cli/query-redis.int.test.ts',
  'test/redis/redis-down.int.test.ts',
  'test/redis/wait-replicas.int.test.ts',
  'packages/dynotally-cli/src/cli/expired-history.int.test.ts',
  'packages/dynotally-cli/src/cli/worker-versions.int.test.ts',
  'packages/dynotally/src/worker/worker-apply-timeout.int.test.ts',
  'test/backfill/backfill-scale.int.test.ts',
  'packages/dynotally/src/time/zone-calendar-shift.property.test.ts',
  'test/redis/flusher-crash.int.test.ts',
  'test/review/s24-announce-failing.int.test.ts',
  'packages/dynotally-cli/src/cli/timeout.int.test.ts',
  'packages/dynotally-cli/src/cli/also-write-reads.int.test.ts',
  'test/worker/list-streams-lag.int.test.ts',
  'test/faults/flusher.fault.test.ts',
  'test/apply/state-budget.int.test.ts',
  'test/dead-letter/replay-property.int.test.ts',
  'packages/dynotally-cli/src/cli/also-write.int.test.ts',
  'test/worker/shard-refused.int.test.ts',
  'test/apply/rollover.property.int.test.ts',
  'test/apply/partiql-estimate.int.test.ts',
  'test/review/s25e-zone-windows.int.test.ts',
  'bench/bench.smoke.int.test.ts',
  'test/verify/verify.int.test.ts',
];

/**
 * `items` with those named in `slow` first, in `slow`'s order; the others after them in their given order.
 *
 * @example
 * ```ts
 * slowFirst(['a', 'b', 'c'], (f) => f, ['c']); // ['c', 'a', 'b']
 * ```
 */
export function slowFirst<T>(items: readonly T[], path: (item: T) => string, slow: readonly string[]): T[] {
  const rank = (item: T): number => {
    const i = slow.indexOf(path(item));
    return i < 0 ? slow.length : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

/**
 * Vitest sequencer: vitest's order (failed, then longest cached duration, then larger files), with
 * {@link SLOW_FILES} moved to the front.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { sequence: { sequencer: SlowFirstSequencer } } });
 * ```
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const sorted = await super.sort(files);
    return slowFirst(sorted, (f) => relative(root, f.moduleId).split('\\').join('/'), SLOW_FILES);
  }
}

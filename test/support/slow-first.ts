// Test-file order for a run: the known slow files first, so that on 2 workers no long file starts last and
// runs alone at the end (vitest's own order uses durations only once a run has cached them; a fresh clone
// or CI has no cache and would run files in glob order).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files measured to take longest, longest first, as paths relative to the repository root: the full run
 * of 2026-12-02 09:30 UTC (docs/performance/test-time.json, `session6`; the default reporter's per-file times),
 * every file over 8 s on a nearly idle machine (load 2-3), `extremum-meter` left out since it no longer prices.
 * Keep it to the files that really are slowest: the rest run in vitest's order.
 */
export const SLOW_FILES: readonly string[] = [
  'bench/suites/buffered.int.test.ts',
  'test/package/consumer.int.test.ts',
  'bench/contenders/naive.int.test.ts',
  'bench/suites/image-pricing.int.test.ts',
  'test/backfill/backfill.int.test.ts',
  'packages/dynotally/src/worker/worker.int.test.ts',
  'test/dashboard/dashboard.browser.test.ts',
  'packages/dynotally-cli/src/cli/dev.int.test.ts',
  'test/faults/worker.fault.test.ts',
  'packages/dynotally-cli/src/cli/verify-backfill.int.test.ts',
  'test/redis/flusher-crash.int.test.ts',
  'packages/dynotally-cli/src/cli/flush.int.test.ts',
  'test/backfill/backfill-scale.int.test.ts',
  'test/redis/redis-down.int.test.ts',
  'test/dashboard/change-rollup.browser.test.ts',
  'packages/dynotally-cli/src/dev/change-rollup.int.test.ts',
  'packages/dynotally-cli/src/cli/query-redis.int.test.ts',
  'test/apply/rollover.property.int.test.ts',
  'bench/bench.smoke.int.test.ts',
  'packages/dynotally/src/time/zone-calendar.property.test.ts',
  'packages/dynotally-cli/src/cli/timeout.int.test.ts',
  'packages/dynotally-cli/src/cli/worker-buffered.int.test.ts',
  'test/verify/verify.int.test.ts',
  'packages/dynotally/src/worker/worker-crash.int.test.ts',
  'test/dead-letter/cli.int.test.ts',
  'test/engine.property.test.ts',
  'test/apply/redelivery.int.test.ts',
  'test/dead-letter/replay.int.test.ts',
  'packages/dynotally-cli/src/dev/buffered-s4.int.test.ts',
  'test/dashboard/first-paint.browser.test.ts',
  'bench/contenders/powertools.int.test.ts',
  'packages/dynotally/src/time/zone-calendar.all-zones.test.ts',
  'test/redis/buffered.int.test.ts',
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

// The set-up of the live read probes (reviews s42q, s43r, s43v): the ranked 'amounts' rollup, a buffered applier, a
// flusher that keeps its letters, and a query client reading the Redis live source, with top() and total() of it.
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { type AnyRollup, createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
} from '../../packages/dynotally/src/redis/index.ts';
import { amountRecords } from './amounts.ts';
import type { BufferEnv } from './harness.ts';

/** `amounts` ranked by its total, in one `all` bucket. */
export const rankedAmounts = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
  leaderboard: { measure: 'total', granularities: ['all'] },
});

/**
 * A fresh table and buffer for `rollup` at `start`: a buffered applier, a flusher (grace 0) whose letters `letters`
 * collects, and a query client reading the Redis live source. Close `query` at the end.
 *
 * @example
 * ```ts
 * const { rec, applier, flusher, letters, query, clock } = await liveReadFixture(env, 's42qlive', amounts, START);
 * ```
 */
export async function liveReadFixture(
  env: BufferEnv,
  prefix: string,
  rollup: AnyRollup & RollupLike,
  start: number,
) {
  const { table, clock, common } = await env.fixture(prefix, [rollup], start);
  const rec = amountRecords(start);
  const applier = createBufferedApplier(common);
  const letters: DeadLetter[] = [];
  const flusher = createFlusher({
    ...common,
    graceMs: 0,
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
  const query = createQueryClient({
    client: env.ddb,
    table,
    rollups: [rollup],
    liveSource: createRedisLiveSource(common),
    now: clock.now,
  });
  return { table, clock, common, rec, applier, letters, flusher, query };
}

/**
 * {@link liveReadFixture} of {@link rankedAmounts}, with `top()` (the first five entries as `[pk, value]`) and
 * `total(g)` (the group's live total).
 *
 * @example
 * ```ts
 * const { rec, applier, flusher, letters, query, top, total, clock } = await liveTopFixture(env, 's43rtop', START);
 * ```
 */
export async function liveTopFixture(env: BufferEnv, prefix: string, start: number) {
  const f = await liveReadFixture(env, prefix, rankedAmounts, start);
  const top = async () =>
    (await f.query.top(rankedAmounts, { bucket: 'all', limit: 5 })).entries.map((e) => [e.pk, e.value]);
  const total = async (g: string) => (await f.query.total(rankedAmounts, { g }, 'all')).values.total;
  return { ...f, top, total };
}

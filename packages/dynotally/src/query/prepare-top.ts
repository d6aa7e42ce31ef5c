import { mapLimit } from '../apply/map-limit.ts';
import type { GroupValue } from '../definition/index.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { compareNum, isZeroNum, type Num, parseNum } from '../numbers/index.ts';
import { bucketStart } from './bucket-name.ts';
import { type ClientContext, type Prepared, readCost } from './client-context.ts';
import { emptyStats, type Item, runBatchGet, runQuery } from './fetch.ts';
import { noLiveSource } from './live-source.ts';
import { toMeasureValue } from './measure-value.ts';
import { planTop, type TopSpec } from './plan-top.ts';
import { rankedUpperBound, rankedWithLive } from './ranked-live.ts';
import { refusedRankedValues } from './ranked-refusal.ts';
import { batchGetParams } from './request-params.ts';
import type { Explanation, TopEntry, TopResult } from './results.ts';
import { timeContext } from './retention.ts';
import { topBucketRefusal } from './top-retention.ts';
import { findRollup, type RollupRef } from './validate.ts';
import { zonedIso } from './zoned-iso.ts';

/** Page size after the first page of a shard, while reading past ties. */
const TIE_PAGE = 100;

function lbv(item: Item): Num {
  return parseNum(item.lbv?.N ?? '0');
}

/**
 * What a live `top()` reads beyond the shard Queries `explain` lists (review s44y: the plan said nothing of them):
 * bounded by the groups with a live delta, each judged on its whole row at most once.
 */
const LIVE_TOP_NOTE =
  "with the live source: the leaderboard's live deltas are read first; each shard reads one more entry per group with a live delta; such groups the index did not return are read by key (BatchGetItem); groups a live delta places in the top limit, or that a refused write could place in it, are judged on their whole rows: one live read and one BatchGetItem of those groups per round, at most one round per group with a live delta, each group's row read at most once";

/**
 * Prepares `top`: each leaderboard shard's index partition is read in descending order until it has
 * `limit` entries and every entry tied with the last of them (so the N-th place is right whichever shard
 * holds it); shards are merged; ties are ordered by the group's partition key. Live deltas re-rank: the
 * groups with a live delta are looked up by key when the index did not return them, and each of them reads
 * one more entry per shard (a delta may be negative). The groups placed in the top `limit` with a live delta are
 * judged on their whole rows (`refusedRankedValues`: the flush refuses a row's write when any of its sums passes 38
 * digits), and again those a refusal lets in, and those a negative delta places below the top `limit` that a refusal
 * could place in it (`rankedUpperBound`).
 * Groups whose value is zero are not listed. Index reads are always eventually consistent. A bucket past its
 * retention (the history's included) is refused (`WINDOW_NOT_SERVABLE`): its entries are being deleted.
 *
 * @example
 * ```ts
 * const { entries } = await prepareTop(ctx, favourites, { bucket: 'all', limit: 10 }).run();
 * ```
 */
export function prepareTop(
  ctx: ClientContext,
  rollup: RollupRef,
  spec: TopSpec = {},
): Prepared<TopResult<unknown>, Explanation> {
  const c = findRollup(ctx.registry, rollup);
  const now = ctx.now();
  const plan = planTop(c, ctx.table, spec, now);
  const expired = topBucketRefusal(
    timeContext(c, now, ctx.histories.get(c)),
    plan.granularity,
    plan.bucket,
    c.name,
  );
  if (expired !== undefined) throw expired;
  const bucket = {
    label: plan.bucket.label,
    from: plan.bucket.start,
    to: plan.bucket.end,
    fromIso: zonedIso(c.calendar, plan.bucket.start),
    toIso: zonedIso(c.calendar, plan.bucket.end),
  };
  return {
    explain: () => ({
      call: 'top',
      window: undefined,
      computedFrom: [
        {
          granularity: plan.granularity.id,
          buckets: 1,
          first: plan.bucket.label,
          last: plan.bucket.label,
          firstStart: bucketStart(c.calendar, plan.bucket),
          lastStart: bucketStart(c.calendar, plan.bucket),
          measures: [plan.measure.name],
          rowKind: plan.granularity.id,
        },
      ],
      rows: [],
      requests: plan.shardKeys.map((k) => ({
        command: 'Query' as const,
        input: plan.query(k, plan.limit + 1),
      })),
      estimatedReadUnits:
        plan.shardKeys.length * 0.5 * Math.max(1, Math.ceil(((plan.limit + 1) * 400) / 4096)),
      omitted: [],
      notes: [
        `leaderboard index '${plan.query('', 1).IndexName}', ${plan.shardKeys.length} shard${plan.shardKeys.length === 1 ? '' : 's'}, descending over lbv > 0 (then lbv < 0 if those run out); further pages of ${TIE_PAGE} only while entries tie with the ${plan.limit}th`,
        'index reads are eventually consistent; rows are whatever the index returns (estimate: 400 bytes each)',
        ...(ctx.live === noLiveSource ? [] : [LIVE_TOP_NOTE]),
      ],
    }),
    run: async () => {
      const stats = emptyStats();
      const marker = ctx.live.markerAttribute;
      // the live snapshot is read before DynamoDB (see LiveSource)
      const ranked =
        ctx.live === noLiveSource ? undefined : await ctx.live.readRanked(c.name, plan.bucket.label);
      const livePks = ranked?.pks() ?? [];
      // a live delta may lower any of these groups: read that many more entries per shard
      const need = plan.limit + livePks.length;
      // `from`: which attribute the value was read from ('lbv', or the measure's own for a row without an
      // entry yet): the live delta added must be that attribute's, as the flush marker absorbed it
      const stored = new Map<string, { value: Num; marker: string | undefined; from: string }>();
      const enough = (got: readonly Item[]) =>
        got.length > need && compareNum(lbv(got[got.length - 1] as Item), lbv(got[need - 1] as Item)) < 0;
      await mapLimit(plan.shardKeys, ctx.concurrency, async (k) => {
        const items = await runQuery(ctx.client, plan.query(k, need + 1), stats, enough, () => ({
          Limit: TIE_PAGE,
        }));
        if (!enough(items)) {
          // the positive values ran out: continue with the negative ones
          const more = await runQuery(
            ctx.client,
            plan.query(k, Math.max(1, need + 1 - items.length), true),
            stats,
            (got) => enough([...items, ...got]),
            () => ({ Limit: TIE_PAGE }),
          );
          items.push(...more);
        }
        for (const it of items)
          stored.set(it.pk?.S ?? '', { value: lbv(it), marker: it[marker]?.S, from: 'lbv' });
      });
      const missing = livePks.filter((pk) => !stored.has(pk));
      if (missing.length > 0) {
        const attr = plan.measure.storeAs;
        const inputs = batchGetParams(
          ctx.table,
          missing.map((pk) => ({ pk, sk: plan.bucket.label, attrs: [attr, 'lbv', marker] })),
          false,
        );
        await mapLimit(inputs, ctx.concurrency, async (input) => {
          for (const it of await runBatchGet(ctx.client, input, stats)) {
            // a row whose leaderboard entry is not written yet (a wide row flushed in parts: the entry comes
            // with the last part) holds the bucket in the measure's attribute already, not in `lbv`
            const from = it.lbv?.N !== undefined ? 'lbv' : attr;
            const v = it[from]?.N;
            stored.set(it.pk?.S ?? '', { value: parseNum(v ?? '0'), marker: it[marker]?.S, from });
          }
        });
      }
      const all = new Map<string, Num>();
      for (const [pk, s] of stored) all.set(pk, s.value);
      const withDelta = new Set<string>();
      if (ranked !== undefined) {
        for (const pk of livePks) {
          // as the flush writes them: a bucket whose value would pass 38 digits is left out (review s43r)
          const v = rankedWithLive(ranked, pk, plan.bucket.label, stored.get(pk), plan.measure.storeAs);
          if (v !== undefined) {
            all.set(pk, v);
            withDelta.add(pk);
          }
        }
      }
      const rank = () =>
        [...all.entries()]
          .filter(([, v]) => !isZeroNum(v))
          .sort(([pa, va], [pb, vb]) => compareNum(vb, va) || (pa < pb ? -1 : pa > pb ? 1 : 0))
          .slice(0, plan.limit);
      let top = rank();
      // the flush refuses a row's write whole when ANOTHER measure of it passes 38 digits (review s43v): the
      // groups placed with a live delta are judged on their whole rows, and again those a refusal lets in
      // and so are those a negative delta places below it whose refused writes would place them in it (review
      // s44v): their stored value plus only their positive deltas still reaches the top k
      const most = new Map<string, Num>();
      if (ranked !== undefined)
        for (const pk of withDelta)
          most.set(pk, rankedUpperBound(ranked, pk, plan.bucket.label, stored.get(pk), plan.measure.storeAs));
      const reaches = (pk: string): boolean => {
        const v = most.get(pk);
        if (v === undefined || isZeroNum(v)) return false;
        const last = top[top.length - 1];
        if (last === undefined || top.length < plan.limit) return true;
        const c = compareNum(v, last[1]);
        return c > 0 || (c === 0 && pk < last[0]);
      };
      const judged = new Set<string>();
      for (;;) {
        const inTop = new Set(top.map(([pk]) => pk));
        const judge = [...withDelta].filter((pk) => !judged.has(pk) && (inTop.has(pk) || reaches(pk)));
        if (judge.length === 0) break;
        for (const pk of judge) judged.add(pk);
        const refused = await refusedRankedValues(ctx, judge, plan.bucket.label, plan.measure.storeAs, stats);
        if (refused.size === 0) break;
        for (const [pk, v] of refused) {
          if (v === undefined) all.delete(pk);
          else all.set(pk, v);
        }
        top = rank();
      }
      const attrs = c.groupNames; // the groupBy attributes, or a groupBy function's declared names
      const entries: TopEntry<unknown>[] = top.map(([pk, v], i) => {
        const groupValues = parsePartitionKey(pk).values as GroupValue[];
        return {
          rank: i + 1,
          group:
            attrs === undefined ? undefined : Object.fromEntries(attrs.map((a, j) => [a, groupValues[j]])),
          groupValues,
          pk,
          // a count or sum: a number or a decimal string, never null (a present cell)
          value: toMeasureValue(plan.measure, v) as number | string,
        };
      });
      return {
        measure: plan.measure.name,
        granularity: plan.granularity.id,
        bucket,
        entries,
        liveGroups: livePks.length,
        ...readCost(stats),
      };
    },
  };
}

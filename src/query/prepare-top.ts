import type { GroupValue } from '../definition/index.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { addNum, compareNum, isZeroNum, type Num, parseNum } from '../numbers/index.ts';
import { type ClientContext, type Prepared, readCost } from './client-context.ts';
import { emptyStats, type Item, mapLimit, runBatchGet, runQuery } from './fetch.ts';
import { noLiveSource } from './live-source.ts';
import { toMeasureValue } from './measure-value.ts';
import { planTop, type TopSpec } from './plan-top.ts';
import { batchGetParams } from './request-params.ts';
import type { Explanation, TopEntry, TopResult } from './results.ts';
import { findRollup, type RollupRef } from './validate.ts';
import { zonedIso } from './zoned-iso.ts';

/** Page size after the first page of a shard, while reading past ties. */
const TIE_PAGE = 100;

function lbv(item: Item): Num {
  return parseNum(item.lbv?.N ?? '0');
}

/**
 * Prepares `top`: each leaderboard shard's index partition is read in descending order until it has
 * `limit` entries and every entry tied with the last of them (so the N-th place is right whichever shard
 * holds it); shards are merged; ties are ordered by the group's partition key. Live deltas re-rank: groups
 * with a live delta are looked up by key, and each negative delta reads one more entry per shard.
 * Groups whose value is zero are not listed. Index reads are always eventually consistent.
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
  const plan = planTop(c, ctx.table, spec, ctx.now());
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
        `leaderboard index '${plan.query('', 1).IndexName}', ${plan.shardKeys.length} shard(s), descending; further pages of ${TIE_PAGE} only while entries tie with the ${plan.limit}th`,
        'index reads are eventually consistent; rows are whatever the index returns (estimate: 400 bytes each)',
      ],
    }),
    run: async () => {
      const stats = emptyStats();
      const deltas = new Map<string, Num>();
      if (ctx.live !== noLiveSource) {
        for (const d of await ctx.live.rankDeltas({
          rollup: c,
          granularity: plan.granularity.id,
          bucket: plan.bucket.label,
          measure: plan.measure.name,
        })) {
          deltas.set(d.pk, addNum(deltas.get(d.pk) ?? 0, d.delta));
        }
      }
      let negative = 0;
      for (const d of deltas.values()) if (compareNum(d, 0) < 0) negative++;
      const need = plan.limit + negative;
      const stored = new Map<string, Num>();
      await mapLimit(plan.shardKeys, ctx.concurrency, async (k) => {
        const items = await runQuery(
          ctx.client,
          plan.query(k, need + 1),
          stats,
          (got) =>
            got.length > need && compareNum(lbv(got[got.length - 1] as Item), lbv(got[need - 1] as Item)) < 0,
          () => ({ Limit: TIE_PAGE }),
        );
        for (const it of items) stored.set(it.pk?.S ?? '', lbv(it));
      });
      const missing = [...deltas.keys()].filter((pk) => !stored.has(pk));
      if (missing.length > 0) {
        const attr = plan.measure.storeAs;
        const inputs = batchGetParams(
          ctx.table,
          missing.map((pk) => ({ pk, sk: plan.bucket.label, attrs: [attr] })),
          false,
        );
        await mapLimit(inputs, ctx.concurrency, async (input) => {
          for (const it of await runBatchGet(ctx.client, input, stats)) {
            const v = it[attr]?.N;
            if (v !== undefined) stored.set(it.pk?.S ?? '', parseNum(v));
          }
        });
      }
      const all = new Map<string, Num>(stored);
      for (const [pk, d] of deltas) all.set(pk, addNum(all.get(pk) ?? 0, d));
      const ranked = [...all.entries()]
        .filter(([, v]) => !isZeroNum(v))
        .sort(([pa, va], [pb, vb]) => compareNum(vb, va) || (pa < pb ? -1 : pa > pb ? 1 : 0))
        .slice(0, plan.limit);
      const attrs = c.groupAttributes;
      const entries: TopEntry<unknown>[] = ranked.map(([pk, v], i) => {
        const groupValues = parsePartitionKey(pk).values as GroupValue[];
        return {
          rank: i + 1,
          group:
            attrs === undefined ? undefined : Object.fromEntries(attrs.map((a, j) => [a, groupValues[j]])),
          groupValues,
          pk,
          value: toMeasureValue(plan.measure, v),
        };
      });
      return {
        measure: plan.measure.name,
        granularity: plan.granularity.id,
        bucket,
        entries,
        liveGroups: deltas.size,
        ...readCost(stats),
      };
    },
  };
}

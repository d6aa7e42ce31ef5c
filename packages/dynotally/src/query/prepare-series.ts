import {
  type ClientContext,
  extraAttributes,
  liveSnapshot,
  mergeSnapshot,
  type Prepared,
  readCost,
  windowInfo,
} from './client-context.ts';
import { evaluate } from './evaluate.ts';
import { emptyStats, indexItems, sendAll } from './fetch.ts';
import { planSeries, type SeriesSpec } from './plan-series.ts';
import type { TotalOptions } from './prepare-total.ts';
import { plannedRows, readRequests } from './request-params.ts';
import type { Explanation, SeriesPoint, SeriesResult } from './results.ts';
import { findRollup, groupKey, onlyKeysOf, type RollupRef } from './validate.ts';
import { zonedIso } from './zoned-iso.ts';

/**
 * Prepares `series`: every point's cells are read together (runs of consecutive rows as one `Query`
 * each), then each point is combined like a total; gaps become zeros.
 *
 * @example
 * ```ts
 * const p = prepareSeries(ctx, storeMetrics, { storeId: 's-1' }, { granularity: 'day', window: { lastDays: 30 } });
 * const { points } = await p.run();
 * ```
 */
export function prepareSeries(
  ctx: ClientContext,
  rollup: RollupRef,
  group: unknown,
  spec: SeriesSpec,
  options: TotalOptions = {},
): Prepared<SeriesResult, Explanation> {
  const c = findRollup(ctx.registry, rollup);
  const key = groupKey(c, group);
  const consistent = options?.consistent === true; // `null` options are no options
  onlyKeysOf(options, ['measures', 'consistent'], 'the series() options');
  const plan = planSeries(c, spec, {
    now: ctx.now(),
    measures: options?.measures,
    history: ctx.histories.get(c),
  });
  const req = readRequests(c, ctx.table, [{ pk: key.pk, runs: plan.runs }], consistent, extraAttributes(ctx));
  const info = windowInfo(c, plan.window);
  const selected = plan.measures.concat(
    plan.omitted.map((o) => c.measures.find((m) => m.name === o.measure)!),
  );
  return {
    explain: () => ({
      call: 'series',
      window: info,
      computedFrom: plan.computedFrom,
      rows: plannedRows(key.pk, plan.runs),
      requests: req.requests,
      estimatedReadUnits: req.estimatedReadUnits,
      omitted: plan.omitted,
      notes: [
        `${plan.points.length} points of ${plan.granularity.id}; ${plan.window.description}`,
        consistent
          ? 'strongly consistent reads'
          : 'eventually consistent reads (pass { consistent: true } for strong reads)',
      ],
    }),
    run: async () => {
      const stats = emptyStats();
      const snapshot = await liveSnapshot(ctx, [key.pk]); // before DynamoDB: see LiveSource
      const rows = indexItems(await sendAll(ctx.client, req.requests, ctx.concurrency, stats));
      const live = mergeSnapshot(ctx, rows, [key.pk], plan.runs, snapshot);
      const points: SeriesPoint[] = plan.points.map((p) => ({
        start: p.bucket.start,
        end: p.bucket.end,
        iso: zonedIso(c.calendar, p.bucket.start) as string,
        label: p.bucket.label,
        values: evaluate(key.pk, p.measures, rows, selected),
      }));
      return {
        granularity: plan.granularity.id,
        points,
        window: info,
        computedFrom: plan.computedFrom,
        rows: plan.rows,
        omitted: plan.omitted,
        liveAttributes: live,
        ...readCost(stats),
      };
    },
  };
}

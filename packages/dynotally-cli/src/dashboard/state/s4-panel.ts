import { STORES } from '../../scenarios/generators/index.ts';
import { storeMetrics } from '../../scenarios/index.ts';
import { num, type PanelContext, raw } from './panel-context.ts';
import type { S4Panel } from './types.ts';

const SHOWN = 8;

/** Revenue as a chart number and its exact decimal, when the serving version stores it. */
function revenueOf(values: Readonly<Record<string, unknown>>): { revenue?: number; revenueRaw?: string } {
  if (!('revenue' in values)) return {};
  return { revenue: num(values.revenue), revenueRaw: raw(values.revenue) };
}

/**
 * S4: every store's orders and views over the last 30 days (one `totalMany`; day cells packed in month
 * rows), the 8 busiest (orders + views) listed by store id, so that rows keep their places as counts move, and the
 * selected store's (default: the busiest) day-by-day series.
 * Once the "change a rollup" demo has registered versions, it reads `'store'` by name through the serving
 * query client: version 1 until the promotion, then version 2 with `revenue` (and its backfilled history).
 *
 * @example
 * ```ts
 * (await s4Panel(ctx)).days.length; // 30
 * ```
 */
export async function s4Panel(ctx: PanelContext): Promise<S4Panel> {
  const window = { lastDays: 30, at: ctx.at } as const;
  const query = ctx.s4Serving ?? ctx.query;
  const rollup = ctx.s4Serving === undefined ? storeMetrics : 'store';
  const totals = await query.totalMany(
    rollup,
    STORES.map((storeId) => ({ storeId })),
    window,
  );
  ctx.cost(totals);
  const stores = totals.results
    .map((r) => ({
      storeId: String(r.group.storeId),
      orders: num(r.values.orders),
      views: num(r.values.views),
      ...revenueOf(r.values),
    }))
    .sort(
      (a, b) =>
        b.orders + b.views - (a.orders + a.views) ||
        b.orders - a.orders ||
        a.storeId.localeCompare(b.storeId),
    )
    .slice(0, SHOWN);
  const store = ctx.store ?? stores[0]?.storeId ?? STORES[0] ?? 'store-001';
  // listed by store id, not by activity: ranked, the rows swapped places at every refresh as the generator's orders
  // came in, and a row read or clicked moved under the pointer (review s43u); the busiest is the default store
  stores.sort((a, b) => a.storeId.localeCompare(b.storeId));
  const series = await query.series(rollup, { storeId: store }, { granularity: 'day', window });
  ctx.cost(series);
  const measures = [
    'orders',
    'views',
    ...('revenue' in (totals.results[0]?.values ?? {}) ? ['revenue'] : []),
  ];
  return {
    window: totals.window.description,
    store,
    measures,
    days: series.points.map((p) => ({
      label: p.iso.slice(5, 10),
      orders: num(p.values.orders),
      views: num(p.values.views),
      ...revenueOf(p.values),
    })),
    stores,
  };
}

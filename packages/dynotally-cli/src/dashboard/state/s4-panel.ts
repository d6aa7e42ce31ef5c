import { STORES } from '../../scenarios/generators/index.ts';
import { storeMetrics } from '../../scenarios/index.ts';
import { num, type PanelContext } from './panel-context.ts';
import type { S4Panel } from './types.ts';

const SHOWN = 8;

/**
 * S4: every store's orders and views over the last 30 days (one `totalMany`; day cells packed in month
 * rows), the 8 busiest (orders + views), and the selected store's (default: the busiest) day-by-day series.
 *
 * @example
 * ```ts
 * (await s4Panel(ctx)).days.length; // 30
 * ```
 */
export async function s4Panel(ctx: PanelContext): Promise<S4Panel> {
  const window = { lastDays: 30, at: ctx.at } as const;
  const totals = await ctx.query.totalMany(
    storeMetrics,
    STORES.map((storeId) => ({ storeId })),
    window,
  );
  ctx.cost(totals);
  const stores = totals.results
    .map((r) => ({
      storeId: String(r.group.storeId),
      orders: num(r.values.orders),
      views: num(r.values.views),
    }))
    .sort(
      (a, b) =>
        b.orders + b.views - (a.orders + a.views) ||
        b.orders - a.orders ||
        a.storeId.localeCompare(b.storeId),
    )
    .slice(0, SHOWN);
  const store = ctx.store ?? stores[0]?.storeId ?? STORES[0] ?? 'store-001';
  const series = await ctx.query.series(storeMetrics, { storeId: store }, { granularity: 'day', window });
  ctx.cost(series);
  return {
    window: totals.window.description,
    store,
    days: series.points.map((p) => ({
      label: p.iso.slice(5, 10),
      orders: num(p.values.orders),
      views: num(p.values.views),
    })),
    stores,
  };
}

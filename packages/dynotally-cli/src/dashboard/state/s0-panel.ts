import { CUSTOMERS } from '../../scenarios/generators/index.ts';
import { jobsPerCustomer } from '../../scenarios/index.ts';
import { num, type PanelContext } from './panel-context.ts';
import type { S0Panel } from './types.ts';

const SHOWN = 8;
const MINUTE = 60_000;

/**
 * S0: every customer's jobs in the last 24 h (one `totalMany`, rolling window to the minute), the top 8,
 * each with a per-minute series of the last hour.
 *
 * @example
 * ```ts
 * const panel = await s0Panel(ctx);
 * panel.customers[0]; // { customerId: 'acme', jobs: 412, sparkline: [3, 5, …] }
 * ```
 */
export async function s0Panel(ctx: PanelContext): Promise<S0Panel> {
  const totals = await ctx.query.totalMany(
    jobsPerCustomer,
    CUSTOMERS.map((customerId) => ({ customerId })),
    { last: '24h', at: ctx.at },
  );
  ctx.cost(totals);
  const top = totals.results
    .map((r) => ({ customerId: String(r.group.customerId), jobs: num(r.values.jobs) }))
    .sort((a, b) => b.jobs - a.jobs || a.customerId.localeCompare(b.customerId))
    .slice(0, SHOWN);
  const to = Math.floor(ctx.at / MINUTE) * MINUTE + MINUTE;
  const from = to - 60 * MINUTE;
  const customers = await Promise.all(
    top.map(async (c) => {
      const s = await ctx.query.series(
        jobsPerCustomer,
        { customerId: c.customerId },
        { granularity: 'minute', from, to },
      );
      ctx.cost(s);
      return { ...c, sparkline: s.points.map((p) => num(p.values.jobs)) };
    }),
  );
  return { window: totals.window.description, customers, sparkFrom: new Date(from).toISOString() };
}

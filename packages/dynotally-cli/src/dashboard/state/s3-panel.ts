import { energyPerMeter } from '../../scenarios/index.ts';
import { num, type PanelContext, raw } from './panel-context.ts';
import type { ChartPoint, S3Panel } from './types.ts';

/**
 * S3: for the selected meter, energy (Wh) per hour today, per day this month and per month this year
 * (Europe/London), with exact totals; and every listed meter's instant power (its latest reading).
 *
 * @example
 * ```ts
 * (await s3Panel(ctx)).power[0]; // { deviceId: 'meter-01', watts: '412.3', at: '2026-11-22T15:30:10+00:00' }
 * ```
 */
export async function s3Panel(ctx: PanelContext): Promise<S3Panel> {
  const meter = ctx.meter ?? ctx.meters[0] ?? 'meter-01';
  const group = { deviceId: meter };
  const at = ctx.at;
  const [hourly, daily, monthly, today, month, year, power] = await Promise.all([
    ctx.query.series(
      energyPerMeter,
      group,
      { granularity: 'hour', window: { calendar: 'day', at } },
      { measures: ['wh'] },
    ),
    ctx.query.series(
      energyPerMeter,
      group,
      { granularity: 'day', window: { calendar: 'month', at } },
      { measures: ['wh'] },
    ),
    ctx.query.series(
      energyPerMeter,
      group,
      { granularity: 'month', window: { calendar: 'year', at } },
      { measures: ['wh'] },
    ),
    ctx.query.total(energyPerMeter, group, { calendar: 'day', at }, { measures: ['wh'] }),
    ctx.query.total(energyPerMeter, group, { calendar: 'month', at }, { measures: ['wh'] }),
    ctx.query.total(energyPerMeter, group, { calendar: 'year', at }, { measures: ['wh'] }),
    Promise.all(
      ctx.meters.map((deviceId) => ctx.query.latest(energyPerMeter, { deviceId }, { measures: ['power'] })),
    ),
  ]);
  for (const r of [hourly, daily, monthly, today, month, year, ...power]) ctx.cost(r);
  const points = (s: typeof hourly, label: (iso: string) => string): ChartPoint[] =>
    s.points.map((p) => ({ label: label(p.iso), value: num(p.values.wh), raw: raw(p.values.wh) }));
  return {
    meter,
    meters: [...ctx.meters],
    hourly: points(hourly, (iso) => iso.slice(11, 16)),
    daily: points(daily, (iso) => iso.slice(8, 10)),
    monthly: points(monthly, (iso) => iso.slice(0, 7)),
    today: raw(today.values.wh),
    thisMonth: raw(month.values.wh),
    thisYear: raw(year.values.wh),
    power: ctx.meters.map((deviceId, i) => {
      const v = power[i]?.values.power;
      return { deviceId, watts: v === null || v === undefined ? null : String(v.value), at: v?.iso ?? null };
    }),
  };
}

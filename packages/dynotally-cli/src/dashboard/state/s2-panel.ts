import { favouritesPerRestaurant } from '../../scenarios/index.ts';
import { num, type PanelContext } from './panel-context.ts';
import type { S2Panel } from './types.ts';

const LIMIT = 10;

/**
 * S2: the top 10 restaurants by favourites, all time and this month (Asia/Kolkata), from the leaderboard index.
 *
 * @example
 * ```ts
 * (await s2Panel(ctx)).allTime[0]; // { rank: 1, restaurantId: 'dosa-palace', favourites: 97 }
 * ```
 */
export async function s2Panel(ctx: PanelContext): Promise<S2Panel> {
  const [all, month] = await Promise.all([
    ctx.query.top(favouritesPerRestaurant, {
      measure: 'favourites',
      bucket: 'all',
      limit: LIMIT,
      at: ctx.at,
    }),
    ctx.query.top(favouritesPerRestaurant, {
      measure: 'favourites',
      bucket: 'month',
      limit: LIMIT,
      at: ctx.at,
    }),
  ]);
  ctx.cost(all);
  ctx.cost(month);
  const rows = (r: typeof all) =>
    r.entries.map((e) => ({
      rank: e.rank,
      restaurantId: String(e.groupValues[0]),
      favourites: num(e.value),
    }));
  return { month: month.bucket.label, allTime: rows(all), thisMonth: rows(month) };
}

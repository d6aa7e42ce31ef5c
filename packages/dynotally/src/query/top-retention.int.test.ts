// top() reads the rollup's retention history, as totals and series do: a leaderboard bucket written while a writer
// kept its granularity for a shorter time is refused once that shorter retention has passed (its ranked rows carry
// that TTL and are being deleted), and so is a bucket past the definition's own retention. A kept bucket is read.
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { recordRetention } from '../retention/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { parseGranularity } from '../time/index.ts';
import { createQueryClient } from './index.ts';

const D = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12);
const clients = testClients();
afterAll(() => clients.destroy());

const favs = defineRollup({
  name: 'favs',
  groupBy: 'restaurantId',
  granularities: ['month', 'all'],
  retention: { month: '400d' },
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['month', 'all'] },
});

describe('top() and the retention history', () => {
  it('refuses a month written under a shorter retention that has passed; reads a kept one', async () => {
    const table = uniqueTableName('top-ret');
    await createAggregateTable(clients.ddb, table);
    // a writer kept months 60 days, from 200 to 100 days ago
    const short = new Map([['month', 60 * D]]);
    await recordRetention(clients.ddb, table, 'favs', short, NOW - 200 * D);
    await recordRetention(clients.ddb, table, 'favs', short, NOW - 100 * D);
    const query = createQueryClient({ client: clients.ddb, table, rollups: [favs], now: () => NOW });
    const written = favs.compiled.calendar.bucket(parseGranularity('month'), NOW - 150 * D).label;
    const refused = await query.top(favs, { bucket: written }).catch((e: unknown) => e);
    expect(isDynotallyError(refused, 'WINDOW_NOT_SERVABLE'), String(refused)).toBe(true);
    expect((refused as Error).message).toContain('was written while month was kept 60d');
    // totals say the same of that month
    const total = await query
      .total(favs, { restaurantId: 'r-1' }, { from: NOW - 150 * D, to: NOW - 149 * D, round: 'outward' })
      .catch((e: unknown) => e);
    expect(isDynotallyError(total, 'WINDOW_NOT_SERVABLE'), String(total)).toBe(true);
    // the current month and all time are read
    expect((await query.top(favs, { bucket: 'month' })).entries).toEqual([]);
    expect((await query.top(favs)).entries).toEqual([]);
    // past the definition's own 400 days: refused without the history too
    const fresh = createQueryClient({
      client: clients.ddb,
      table: uniqueTableName('none'),
      rollups: [favs],
      now: () => NOW,
    });
    const ancient = favs.compiled.calendar.bucket(parseGranularity('month'), NOW - 500 * D).label;
    const past = await fresh.top(favs, { bucket: ancient }).catch((e: unknown) => e);
    expect(isDynotallyError(past, 'WINDOW_NOT_SERVABLE'), String(past)).toBe(true);
    expect((past as Error).message).toContain("past month's retention (400d)");
    query.close();
    fresh.close();
  });
});

// S4's store list keeps its order as counts move (review s43u): the 8 busiest stores, listed by store id, not by
// activity, under which the rows swapped places at every refresh. Pure: a query client that answers fixed totals.
import type { QueryClient } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { STORES } from '../../scenarios/generators/index.ts';
import type { PanelContext } from './panel-context.ts';
import { s4Panel } from './s4-panel.ts';

/** A context whose 30-day totals give store i `orders[i]` orders and no views. */
function contextWith(orders: readonly number[]): PanelContext {
  const query = {
    totalMany: async () => ({
      window: { description: 'last 30 days' },
      results: STORES.map((storeId, i) => ({
        group: { storeId },
        values: { orders: orders[i] ?? 0, views: 0 },
      })),
    }),
    series: async () => ({ points: [] }),
  } as unknown as QueryClient;
  return { query, at: 0, meter: undefined, meters: [], store: undefined, quotas: {}, cost: () => {} };
}

describe('s4Panel', () => {
  it('lists the 8 busiest stores by id, whichever is busiest, and selects the busiest', async () => {
    const busy = [10, 20, 30, 40, 50, 60, 70, 80]; // stores 1–8 busiest, store-008 the most
    const first = await s4Panel(contextWith(busy));
    const then = await s4Panel(contextWith([...busy].reverse())); // the same stores, store-001 now the most
    const ids = STORES.slice(0, 8);
    expect(first.stores.map((s) => s.storeId)).toEqual(ids);
    expect(then.stores.map((s) => s.storeId)).toEqual(ids);
    expect([first.store, then.store]).toEqual(['store-008', 'store-001']);
  });
});

import { storeMetrics } from '../rollups.ts';
import { diurnalPast, eventLagMs, idFactory } from './event-lag.ts';
import { LiveItems } from './live-items.ts';
import { STORES } from './names.ts';
import { seededRandom } from './prng.ts';
import type { GeneratorOptions, ScenarioGenerator, ScenarioInfo, SourceChange, SourceItem } from './types.ts';
import { zipfPicker } from './zipf.ts';

const DAY_MS = 86_400_000;
const ORDER_SHARE = 0.12;

/**
 * S4 — e-commerce store metrics. Shoppers (Zipf 1.1 over stores) view products and place orders:
 * `{ type: 'view' | 'order', storeId, ts (epoch ms), amount }` (`amount`: the price of what was viewed or ordered,
 * 5.00 … 249.99, derived from the event's id so it draws nothing from the PRNG and the other attributes stay
 * what they were before it existed; S4's rollup ignores it, the "change a rollup" demo sums it as revenue). 5 % of changes are MODIFYs (a view becomes an
 * order, or an event is re-attributed to another store, or its time is corrected by up to an hour), 3 % are
 * REMOVEs (a cancelled order, a bot's view purged). History: events over the last 90 days.
 *
 * @example
 * ```ts
 * createStoreGenerator().next(Date.now());
 * // { kind: 'insert', item: { type: 'view', storeId: 'store-001', ts: 1795…, … }, group: 'store-001' }
 * ```
 */
export function createStoreGenerator(options: GeneratorOptions = {}): ScenarioGenerator {
  const random = seededRandom(options.seed ?? 0x5e4);
  const store = zipfPicker(STORES, 1.1);
  const newId = idFactory('evt');
  const recent = new LiveItems(5_000);

  const insert = (now: number, ts: number): SourceChange => {
    const storeId = store(random);
    const pk = `store-event#${newId(now)}`;
    const item: SourceItem = {
      pk,
      sk: 'event',
      type: random.chance(ORDER_SHARE) ? 'order' : 'view',
      storeId,
      ts,
      amount: priceOf(pk),
    };
    recent.add(item);
    return { kind: 'insert', item, group: storeId };
  };

  const modify = (event: SourceItem): SourceChange => {
    const u = random.next();
    let item: SourceItem;
    if (u < 0.5) item = { ...event, type: event.type === 'view' ? 'order' : 'view' };
    else if (u < 0.75) item = { ...event, storeId: store(random) };
    else item = { ...event, ts: Number(event.ts) + random.int(-3_600_000, 3_600_000) };
    recent.add(item);
    return { kind: 'modify', item, group: String(item.storeId), previous: event };
  };

  return {
    id: 's4',
    next(now) {
      const u = random.next();
      if (u < 0.05 && recent.size > 0) return modify(recent.pick(random) as SourceItem);
      if (u < 0.08 && recent.size > 0) {
        const event = recent.take(random) as SourceItem;
        return {
          kind: 'delete',
          key: { pk: event.pk, sk: event.sk },
          group: String(event.storeId),
          previous: event,
        };
      }
      return insert(now, now - eventLagMs(random));
    },
    history(now, count) {
      return Array.from({ length: count }, () => {
        // Recent days busier than older ones (a growing shop).
        const span = Math.floor(90 * DAY_MS * random.next() ** 0.7) + 60_000;
        return insert(now, diurnalPast(random, now, span));
      });
    },
  };
}

/**
 * The price of an S4 event (5.00 … 249.99, two decimals), from an FNV-1a hash of its key: deterministic, and
 * without a PRNG draw.
 *
 * @example
 * ```ts
 * priceOf('store-event#evt-1'); // the same number on every call
 * ```
 */
export function priceOf(pk: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < pk.length; i++) {
    h ^= pk.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (500 + (h % 24_500)) / 100;
}

/**
 * S4's catalogue entry.
 *
 * @example
 * ```ts
 * s4Store.rollup.compiled.measures.map((m) => m.name); // ['orders', 'views']
 * ```
 */
export const s4Store: ScenarioInfo = {
  id: 's4',
  title: 'Store metrics',
  description:
    'shoppers view products and place orders (OrderCount, ViewCount); conversions, re-attributions and time corrections (MODIFY), cancellations (REMOVE)',
  rollup: storeMetrics,
  attributes: ['type', 'storeId', 'ts', 'amount'],
  exampleGroup: { storeId: STORES[0] as string },
  create: createStoreGenerator,
};

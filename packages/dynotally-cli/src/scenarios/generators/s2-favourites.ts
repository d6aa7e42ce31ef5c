import { favouritesPerRestaurant } from '../rollups.ts';
import { eventLagMs } from './event-lag.ts';
import { LiveItems } from './live-items.ts';
import { RESTAURANTS } from './names.ts';
import { seededRandom } from './prng.ts';
import type { GeneratorOptions, ScenarioGenerator, ScenarioInfo, SourceChange, SourceItem } from './types.ts';
import { zipfPicker } from './zipf.ts';

const USERS = 5_000;
const YEAR_MS = 365 * 86_400_000;

/**
 * S2 — restaurant favourites. Users favourite restaurants (Zipf 1.1): an item
 * `{ type: 'favourite', restaurantId, createdAt (epoch s) }` keyed by user and restaurant. 25 % of
 * changes un-favourite (REMOVE, −1 for the month the favourite was made in and for all time); tapping the
 * heart on a restaurant already favourited also un-favourites it. History: favourites over the last year.
 *
 * @example
 * ```ts
 * createFavouritesGenerator().next(Date.now()); // { kind: 'insert', item: { type: 'favourite', restaurantId: 'dosa-palace', … } }
 * ```
 */
export function createFavouritesGenerator(options: GeneratorOptions = {}): ScenarioGenerator {
  const random = seededRandom(options.seed ?? 0x5e2);
  const restaurant = zipfPicker(RESTAURANTS, 1.1);
  const live = new LiveItems(200_000);

  const remove = (fav: SourceItem): SourceChange => ({
    kind: 'delete',
    key: { pk: fav.pk, sk: fav.sk },
    group: String(fav.restaurantId),
    previous: fav,
  });

  /** A user taps the heart of a restaurant: favourites it, or un-favourites it when it already was (unless `insertOnly`). */
  const tap = (createdAtMs: number, insertOnly: boolean): SourceChange | undefined => {
    const restaurantId = restaurant(random);
    const pk = `favourite#u-${String(random.int(1, USERS)).padStart(4, '0')}`;
    if (live.has(pk, restaurantId)) {
      if (insertOnly) return undefined;
      return remove(live.remove(pk, restaurantId) as SourceItem);
    }
    const item: SourceItem = {
      pk,
      sk: restaurantId,
      type: 'favourite',
      restaurantId,
      createdAt: Math.floor(createdAtMs / 1000),
    };
    live.add(item);
    return { kind: 'insert', item, group: restaurantId };
  };

  return {
    id: 's2',
    next(now) {
      if (random.chance(0.25) && live.size > 0) return remove(live.take(random) as SourceItem);
      return tap(now - eventLagMs(random), false) as SourceChange;
    },
    history(now, count) {
      const out: SourceChange[] = [];
      while (out.length < count) {
        const change = tap(now - Math.floor(random.next() ** 1.5 * YEAR_MS), true);
        if (change !== undefined) out.push(change);
      }
      return out;
    },
  };
}

/**
 * S2's catalogue entry.
 *
 * @example
 * ```ts
 * s2Favourites.rollup.compiled.leaderboard?.measure; // 'favourites'
 * ```
 */
export const s2Favourites: ScenarioInfo = {
  id: 's2',
  title: 'Restaurant favourites',
  description:
    'users favourite restaurants (INSERT +1) and un-favourite them (REMOVE −1); ranked all-time and per month by a leaderboard',
  rollup: favouritesPerRestaurant,
  attributes: ['type', 'restaurantId', 'createdAt'],
  exampleGroup: { restaurantId: RESTAURANTS[0] as string },
  create: createFavouritesGenerator,
};

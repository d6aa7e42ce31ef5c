/**
 * Readable entity names for the generators, most popular first (Zipf draws favour the head of each list).
 *
 * @example
 * ```ts
 * CUSTOMERS[0]; // 'acme'
 * ```
 */
export const CUSTOMERS: readonly string[] = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'stark',
  'wayne',
  'wonka',
  'tyrell',
  'cyberdyne',
  'soylent',
  'vandelay',
  'monarch',
  'oscorp',
  'gringotts',
  'aperture',
  'massive',
  'dunder',
  'nakatomi',
  'zorg',
  'pied-piper',
  'bluth',
  'prestige',
  'vehement',
  'sirius',
  'ollivander',
  'krusty',
  'duff',
  'gekko',
  'weyland',
];

/**
 * Projects of S1 with their scanners' home UTC offsets (ISO-8601 suffixes).
 *
 * @example
 * ```ts
 * PROJECTS[2]; // { id: 'cygnus', offset: '+05:30' }
 * ```
 */
export const PROJECTS: readonly { readonly id: string; readonly offset: string }[] = [
  { id: 'atlas', offset: '-05:00' },
  { id: 'borealis', offset: '+01:00' },
  { id: 'cygnus', offset: '+05:30' },
  { id: 'draco', offset: '+00:00' },
  { id: 'eridanus', offset: '-08:00' },
  { id: 'fornax', offset: '+09:00' },
  { id: 'gemini', offset: '+05:45' },
  { id: 'hydra', offset: '-03:00' },
  { id: 'indus', offset: '+02:00' },
  { id: 'lyra', offset: '+10:00' },
];

/**
 * Restaurants of S2.
 *
 * @example
 * ```ts
 * RESTAURANTS[0]; // 'dosa-palace'
 * ```
 */
export const RESTAURANTS: readonly string[] = [
  'dosa-palace',
  'biryani-house',
  'chaat-corner',
  'tandoori-nights',
  'curry-leaf',
  'masala-box',
  'idli-express',
  'thali-junction',
  'kebab-king',
  'paneer-point',
  'udupi-cafe',
  'momo-hut',
  'vada-pav-co',
  'lassi-bar',
  'saffron',
  'spice-route',
  'chettinad',
  'kulfi-corner',
  'roti-ghar',
  'filter-coffee',
  'pani-puri-pop',
  'naan-stop',
  'ghee-roast',
  'appam-hub',
  'pav-bhaji-co',
  'jalebi-joint',
  'malabar-table',
  'kathi-roll',
  'dal-makhani',
  'rasam-room',
  'mango-tree',
  'banana-leaf',
  'tiffin-box',
  'chai-point',
  'halwa-house',
  'korma-kitchen',
  'pulao-place',
  'samosa-stop',
  'bhel-bar',
  'keema-cafe',
];

/**
 * Stores of S4.
 *
 * @example
 * ```ts
 * STORES[0]; // 'store-001'
 * ```
 */
export const STORES: readonly string[] = Array.from(
  { length: 60 },
  (_, i) => `store-${String(i + 1).padStart(3, '0')}`,
);

/**
 * The meter id of S3 meter number `i` (0-based).
 *
 * @example
 * ```ts
 * meterId(0); // 'meter-01'
 * ```
 */
export function meterId(i: number): string {
  return `meter-${String(i + 1).padStart(2, '0')}`;
}

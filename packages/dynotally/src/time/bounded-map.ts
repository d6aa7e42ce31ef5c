/**
 * Sets `key` in a cache map, first emptying the map when it already holds `limit` entries. Crude but
 * allocation-free and O(1); the caches here are refilled in a few microseconds.
 *
 * @example
 * ```ts
 * const cache = new Map<number, string>();
 * setBounded(cache, 1, 'one', 10_000);
 * ```
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (map.size >= limit) map.clear();
  map.set(key, value);
}

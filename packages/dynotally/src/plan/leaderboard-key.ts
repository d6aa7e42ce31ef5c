/**
 * FNV-1a 32-bit hash of a string: stable across processes and runtimes.
 *
 * @example
 * ```ts
 * fnv1a('store#s1') % 4; // shard 0..3
 * ```
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The leaderboard index partition of a ranked row: `<rollup>#<bucket>#<shard>`. A bucket's groups spread
 * over `shards` partitions by a hash of the group; top-N reads query each shard and merge.
 *
 * @example
 * ```ts
 * leaderboardKey('favourites', 'ALL', 'favourites#sr-1', 1); // 'favourites#ALL#0'
 * ```
 */
export function leaderboardKey(rollup: string, bucketLabel: string, pk: string, shards: number): string {
  const shard = shards <= 1 ? 0 : fnv1a(pk) % shards;
  return `${rollup}#${bucketLabel}#${shard}`;
}

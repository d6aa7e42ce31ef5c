import { randomBytes } from 'node:crypto';

/**
 * A new build id for a version built by a backfill: 16 characters of base32 (80 random bits), recorded in the
 * version's entry when it is registered (`v<n>.claims.scope`). Its claims and progress items are keyed by it
 * ({@link claimPrefix}), so two aggregate tables whose rollups share a name (staging and production, or a table
 * made again), building through one claim table, never read each other's.
 *
 * @example
 * ```ts
 * newClaimScope(); // 'k3j5x0…' (16 characters of a-z and 2-7)
 * ```
 */
export function newClaimScope(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The prefix of a version's claims and backfill progress items in the claim table: its key prefix (`store`,
 * `store.v2`) and, for a version registered with a build id, `~` and the id (`store.v2~k3j5…`). Rollup names
 * cannot contain `.`, `#` or `~`, so prefixes stay injective. A version registered by an earlier release has no
 * id and keeps the bare key prefix, where its claims and progress already are.
 *
 * @example
 * ```ts
 * claimPrefix('store.v2', undefined); // 'store.v2'
 * claimPrefix('store.v2', 'k3j5x0abcdefgh2q'); // 'store.v2~k3j5x0abcdefgh2q'
 * ```
 */
export function claimPrefix(versionPrefix: string, scope: string | undefined): string {
  return scope === undefined ? versionPrefix : `${versionPrefix}~${scope}`;
}

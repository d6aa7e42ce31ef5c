import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';

const READ_UNIT_BYTES = 4096;
/** Sub-buckets a packed placement holds at most (years in the ALL row: assume a few). */
const SLOTS: Readonly<Record<string, number>> = { sec: 60, min: 60, dom: 31, moy: 12, year: 5 };

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * An upper estimate of an aggregate row's size in bytes, by DynamoDB's sizing rules (name + value bytes):
 * keys, `updatedAt`, `ttl`, one shard watermark, the leaderboard attributes of ranked rows, and every
 * packed attribute the row kind can hold (a full hour of minutes, a full month of days) with small counter
 * values. Real rows are often sparser, so the read units actually consumed are usually lower.
 *
 * @example
 * ```ts
 * estimateRowBytes(jobs.compiled, jobs.compiled.rows[0], 'jobs#sc-1', 'H2026-11-22T13:00'); // ≈ 760
 * ```
 */
export function estimateRowBytes(c: CompiledRollup, kind: CompiledRowKind, pk: string, sk: string): number {
  let bytes = 2 + utf8(pk) + 2 + utf8(sk);
  bytes += 'updatedAt'.length + 8;
  if (kind.retentionMs !== Number.POSITIVE_INFINITY) bytes += 'ttl'.length + 6;
  bytes += 14 + 52; // one `w_<12 hex>` watermark: '<40-digit sequence>|<epoch s>'
  if (kind.ranked) bytes += 3 + utf8(c.name) + 24 + 3 + 4;
  for (const p of kind.placements) {
    const slots = p.own
      ? 1
      : p.sub === 'nmin'
        ? 60 / (p.granularity.minutes ?? 60)
        : (SLOTS[p.sub ?? ''] ?? 1);
    const suffix = p.own ? 0 : p.sub === 'nmin' ? 5 : p.sub === 'year' ? 5 : 3;
    for (const m of c.measures) {
      if (!m.granularities.has(p.granularity.id)) continue;
      const name = utf8(m.storeAs) + suffix;
      const value = m.kind === 'count' ? 3 : 6;
      bytes += slots * (name + value + (m.kind === 'last' ? name + 2 + 8 : 0));
    }
  }
  return bytes;
}

/**
 * Read units of a `Query` returning items of these sizes: the total rounded up to 4 KB, halved for
 * eventually consistent reads.
 *
 * @example
 * ```ts
 * queryReadUnits([760, 760, 760], false); // 0.5
 * ```
 */
export function queryReadUnits(itemBytes: readonly number[], consistent: boolean): number {
  const total = itemBytes.reduce((a, b) => a + b, 0);
  const units = Math.max(1, Math.ceil(total / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

/**
 * Read units of a `BatchGetItem` (or `GetItem`s): each item rounded up to 4 KB, halved for eventually
 * consistent reads (a key that finds no item still costs the minimum).
 *
 * @example
 * ```ts
 * batchGetReadUnits([760, 5000], true); // 3
 * ```
 */
export function batchGetReadUnits(itemBytes: readonly number[], consistent: boolean): number {
  const units = itemBytes.reduce((a, b) => a + Math.max(1, Math.ceil(b / READ_UNIT_BYTES)), 0);
  return consistent ? units : units / 2;
}

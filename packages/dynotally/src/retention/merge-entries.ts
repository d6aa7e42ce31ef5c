import { historyByGranularity } from './effective-retention.ts';
import type { RetentionEntry } from './history-item.ts';

/**
 * The most entries a history keeps per granularity. Each retention a granularity was written under is one
 * entry (equal retentions share it), so this is only reached by many retention changes; past it the two
 * entries last seen earliest are merged into one under the shorter retention, over both entries' time spans:
 * the merged entry refuses at least what each refused, so the bound costs refusals, never a wrong answer.
 * 16 granularities × 8 entries stay far below DynamoDB's 400 KB item.
 *
 * @example
 * ```ts
 * MAX_ENTRIES_PER_GRANULARITY; // 8
 * ```
 */
export const MAX_ENTRIES_PER_GRANULARITY = 8;

/**
 * The history with the writer's own retentions recorded at `now`: an entry of equal granularity and retention
 * has its `lastSeen` moved to `now` (never back), another is added with `firstSeen = lastSeen = now`; then each
 * granularity is bounded by {@link MAX_ENTRIES_PER_GRANULARITY}. Pure.
 *
 * @example
 * ```ts
 * mergeEntries([], new Map([['hour', 864_000_000]]), now);
 * // [{ granularity: 'hour', retentionMs: 864_000_000, firstSeen: now, lastSeen: now }]
 * ```
 */
export function mergeEntries(
  stored: readonly RetentionEntry[],
  own: ReadonlyMap<string, number>,
  now: number,
): RetentionEntry[] {
  const out = stored.map((e) => ({ ...e }));
  for (const [granularity, retentionMs] of own) {
    if (!Number.isFinite(retentionMs)) continue;
    const same = out.find((e) => e.granularity === granularity && e.retentionMs === retentionMs);
    if (same === undefined) out.push({ granularity, retentionMs, firstSeen: now, lastSeen: now });
    else {
      same.lastSeen = Math.max(same.lastSeen, now);
      same.firstSeen = Math.min(same.firstSeen, now);
    }
  }
  return bound(out);
}

function bound(entries: RetentionEntry[]): RetentionEntry[] {
  const out: RetentionEntry[] = [];
  for (const list of historyByGranularity(entries).values()) {
    const kept = [...list].sort((a, b) => a.lastSeen - b.lastSeen);
    while (kept.length > MAX_ENTRIES_PER_GRANULARITY) {
      const [a, b] = kept.splice(0, 2) as [RetentionEntry, RetentionEntry];
      kept.push({
        granularity: a.granularity,
        retentionMs: Math.min(a.retentionMs, b.retentionMs),
        firstSeen: Math.min(a.firstSeen, b.firstSeen),
        lastSeen: Math.max(a.lastSeen, b.lastSeen),
      });
      kept.sort((x, y) => x.lastSeen - y.lastSeen);
    }
    out.push(...kept);
  }
  return out;
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Partition key prefix of retention history items (`~` cannot start a rollup name). */
export const HISTORY_PK_PREFIX = '~ret#';
/** Sort key of retention history items. */
export const HISTORY_SK = 'history';

/**
 * One retention a write process wrote a granularity's rows under, and when such processes were seen: the first
 * time one recorded it and the last time one confirmed it (epoch ms, the writers' clocks).
 *
 * @example
 * ```ts
 * const e: RetentionEntry = { granularity: 'hour', retentionMs: 864_000_000, firstSeen: t0, lastSeen: t1 };
 * ```
 */
export interface RetentionEntry {
  readonly granularity: string;
  readonly retentionMs: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/**
 * A rollup's retention history as stored: its entries and the item's version (for conditional writes; 0 when
 * there is no item).
 *
 * @example
 * ```ts
 * const h: StoredHistory = { entries: [], version: 0 };
 * ```
 */
export interface StoredHistory {
  readonly entries: readonly RetentionEntry[];
  readonly version: number;
}

/**
 * The key of a rollup's retention history item (a version's own name: `store.v2` has its own).
 *
 * @example
 * ```ts
 * historyKey('store'); // { pk: { S: '~ret#store' }, sk: { S: 'history' } }
 * ```
 */
export function historyKey(rollup: string): Record<string, AttributeValue> {
  return { pk: { S: `${HISTORY_PK_PREFIX}${rollup}` }, sk: { S: HISTORY_SK } };
}

/**
 * Reads a history item (`undefined`: no item, `{ entries: [], version: 0 }`). Entries it cannot read are
 * skipped.
 *
 * @example
 * ```ts
 * const h = parseHistory(out.Item);
 * ```
 */
export function parseHistory(item: Record<string, AttributeValue> | undefined): StoredHistory {
  if (item === undefined) return { entries: [], version: 0 };
  const entries: RetentionEntry[] = [];
  for (const e of item.e?.L ?? []) {
    const m = e.M;
    const granularity = m?.g?.S;
    const retentionMs = Number(m?.r?.N);
    const firstSeen = Number(m?.f?.N);
    const lastSeen = Number(m?.l?.N);
    if (granularity === undefined || ![retentionMs, firstSeen, lastSeen].every(Number.isFinite)) continue;
    entries.push({ granularity, retentionMs, firstSeen, lastSeen });
  }
  return { entries, version: Number(item.v?.N ?? 0) };
}

/**
 * The entries as the item's `e` attribute.
 *
 * @example
 * ```ts
 * const e = entriesAttribute(entries); // { L: [{ M: { g: { S: 'hour' }, r: { N: '864000000' }, … } }] }
 * ```
 */
export function entriesAttribute(entries: readonly RetentionEntry[]): AttributeValue {
  return {
    L: entries.map((e) => ({
      M: {
        g: { S: e.granularity },
        r: { N: String(e.retentionMs) },
        f: { N: String(e.firstSeen) },
        l: { N: String(e.lastSeen) },
      },
    })),
  };
}

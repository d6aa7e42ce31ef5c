import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { HORIZON_MARGIN_SECONDS, pruneAfterSeconds } from './redelivery-horizon.ts';
import { shardStateOf } from './shard-state.ts';

/**
 * The 0.2 fixed horizon (twice the stream's retention), kept for reference: pruning now follows
 * {@link pruneAfterSeconds} (retention or the mapping's maximum record age, plus a margin).
 */
export const STALE_WATERMARK_SECONDS = 48 * 3600;
const LIMIT = 10_000;

/**
 * The name prefix of a take-back marker (`apply/unrepresentable.ts`): set on a row with the record's stream time
 * when a refused record's deltas are taken back out of it, so a redelivery takes them back once. Past the
 * redelivery horizon (and a margin: see {@link staleStatesOf}) no delivery of that record is applied or takes it back
 * any more, so the marker is dropped like a stale state.
 *
 * @example
 * ```ts
 * Object.keys(item).filter((a) => a.startsWith(TAKE_BACK_MARKER_PREFIX));
 * ```
 */
export const TAKE_BACK_MARKER_PREFIX = 'x_';

/**
 * The attribute marking a record as taken back from a row: {@link TAKE_BACK_MARKER_PREFIX} + 12 hex of
 * SHA-256(the shard's watermark attribute, the record's 40-digit sequence number). A row holding it gave the record
 * back: the take-back (`apply/unrepresentable.ts`) sets it, a dead letter's probe (`pendingRowsOf`) reads it.
 *
 * @example
 * ```ts
 * takeBackMarkerAttr(shardStateAttrs(streamArn, shardId).legacy, change.sequenceNumber); // 'x_3f1c…'
 * ```
 */
export function takeBackMarkerAttr(watermarkAttr: string, seq: string): string {
  return `${TAKE_BACK_MARKER_PREFIX}${createHash('sha256').update(`${watermarkAttr}|${seq}`).digest('hex').slice(0, 12)}`;
}
/**
 * A marker's whole name: the prefix and 12 hex digits. The prefix alone is not enough: a measure `x` packed into
 * a host row is stored as `x_22`, `x_1440`, `x_5m10` (`fold/cell-names.ts`), a sum that must never be taken for a
 * marker; a packed index never has 12 digits.
 */
const MARKER_NAME = /^x_[0-9a-f]{12}$/;
/** Marker values below this are not times (releases before 0.3 wrote 1): such markers are kept. */
const MARKER_TIME_FLOOR = 1_000_000_000;

/** A shard state to drop from a row, only if it still holds `value`. */
export interface PruneHint {
  readonly attr: string;
  readonly value: AttributeValue;
}

/**
 * Remembers, per row, the exactly-once states (compact `~…` or legacy `w_…`) of shards whose last applied record
 * on it is older than the redelivery horizon (see {@link pruneAfterSeconds}): none of the records they guard can
 * be delivered again. Learnt from `ALL_OLD` answers on a sample of writes; the next write of that row drops
 * them, each only if unchanged. Bounded.
 *
 * @example
 * ```ts
 * const hints = new PruneHints(pruneAfterSeconds(undefined));
 * hints.learn(key, out.Attributes, ownAttrs, Date.now());
 * const prune = hints.take(key); // [{ attr: '~Xx3f_Q2a', value: { N: '…491234' } }]
 * ```
 */
/**
 * Most stale states one write drops. Each is conditioned on its value and removed (`#pN = :pN AND …`, `REMOVE
 * #pN`): a row idle past the horizon can hold hundreds, and all of them in one write would pass DynamoDB's 4 KB
 * expression limit and its 300 operators, and fail on every delivery. 32 take about 600 characters and 64
 * operators.
 */
export const MAX_PRUNED_PER_WRITE = 32;

export class PruneHints {
  private readonly byRow = new Map<string, PruneHint[]>();

  constructor(readonly horizonSeconds: number = pruneAfterSeconds(undefined)) {}

  learn(
    rowKey: string,
    item: Record<string, AttributeValue> | undefined,
    own: { readonly attr: string; readonly legacy: string },
    nowMs: number,
    /** States the write that returned `item` (the row before it) removed: not stale, gone. */
    removed?: readonly PruneHint[],
  ): void {
    if (item === undefined) return;
    let stale = staleStatesOf(item, own, nowMs, this.horizonSeconds);
    if (removed !== undefined && removed.length > 0) {
      const gone = new Set(removed.map((p) => p.attr));
      stale = stale.filter((p) => !gone.has(p.attr));
    }
    if (stale.length === 0) {
      this.byRow.delete(rowKey);
      return;
    }
    if (this.byRow.size >= LIMIT) this.byRow.clear();
    this.byRow.set(rowKey, stale);
  }

  /** True when the row has stale watermarks to drop on its next write. */
  has(rowKey: string): boolean {
    return this.byRow.has(rowKey);
  }

  /**
   * The stale states the row's next write drops: at most {@link MAX_PRUNED_PER_WRITE}, the rest kept for the
   * write after it.
   */
  take(rowKey: string): PruneHint[] | undefined {
    const hint = this.byRow.get(rowKey);
    if (hint === undefined) return undefined;
    if (hint.length <= MAX_PRUNED_PER_WRITE) {
      this.byRow.delete(rowKey);
      return hint;
    }
    this.byRow.set(rowKey, hint.slice(MAX_PRUNED_PER_WRITE));
    return hint.slice(0, MAX_PRUNED_PER_WRITE);
  }
}

/**
 * The shard states of a stored row (other than `own`'s) whose last applied record is older than the redelivery
 * horizon, and the take-back markers of records older than the horizon plus {@link HORIZON_MARGIN_SECONDS}: nothing
 * they guard can be delivered again, so a write may drop each, if unchanged. A marker outlives the horizon by a
 * margin because a late delivery (`lateRecords: 'dead-letter'`) still finishes a take-back an earlier delivery cut
 * short while its record is under 24 h 40 min old by that delivery's clock (`lateToSettle`): the rows that earlier
 * delivery took the record back from must still hold their markers then, whatever the skew between the writers'
 * clocks (15 minutes), until the settle's send deadline and while its last request is in flight. That deadline is
 * bound by the row's shard state, which its take-back needs and which is pruned an hour earlier
 * (`SETTLE_AFTER_LATE_SECONDS`: creation + 24 h 40 min), so a marker outlives it by 65 minutes; the margin also
 * lets a `RECORD_TOO_OLD` letter's probe (`pendingRowsOf`) see which rows gave the record back.
 *
 * @example
 * ```ts
 * staleStatesOf(item, shardStateAttrs(streamArn, shardId), Date.now(), pruneAfterSeconds(undefined));
 * ```
 */
export function staleStatesOf(
  item: Record<string, AttributeValue>,
  own: { readonly attr: string; readonly legacy: string },
  nowMs: number,
  horizonSeconds: number,
): PruneHint[] {
  const stale: PruneHint[] = [];
  const nowSeconds = nowMs / 1000;
  for (const attr in item) {
    if (attr === own.attr || attr === own.legacy) continue;
    const value = item[attr] as AttributeValue;
    const state = shardStateOf(attr, value);
    const marker = state === undefined ? markerTime(attr, value) : undefined;
    const at = marker ?? state?.epochSeconds;
    const after = marker === undefined ? horizonSeconds : horizonSeconds + HORIZON_MARGIN_SECONDS;
    if (at !== undefined && nowSeconds - at > after) stale.push({ attr, value });
  }
  return stale;
}

/** A take-back marker's time (epoch seconds), or undefined for any other attribute and for markers without one. */
function markerTime(attr: string, value: AttributeValue): number | undefined {
  if (value.N === undefined || !attr.startsWith(TAKE_BACK_MARKER_PREFIX) || !MARKER_NAME.test(attr))
    return undefined;
  const at = Number(value.N);
  return at >= MARKER_TIME_FLOOR ? at : undefined;
}

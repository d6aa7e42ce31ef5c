import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RowWatermark } from '../plan/update-params.ts';
import { TRANSACTIONAL_ATTR } from './transactional-marker.ts';
import { parseWatermark, watermarkAttr, watermarkValue } from './watermark-attr.ts';

/** First character of a compact shard-state attribute: never valid in a measure name, so never a counter. */
export const SHARD_STATE_PREFIX = '~';
/** Prefix of the legacy (0.2) shard watermark attributes: `w_<12 hex>` = `'<40 digits>|<epoch s>'`. */
export const LEGACY_WATERMARK_PREFIX = 'w_';
/** Digits of the hour stamp appended to a compact state value (hours since 1970: six digits until 2084). */
const HOUR_DIGITS = 6;
const HOUR_SCALE = '000000';
const MAX_HOUR = 999_999;
/** DynamoDB numbers hold 38 significant digits: a sequence longer than this cannot carry the hour stamp. */
const MAX_SEQ_DIGITS = 38 - HOUR_DIGITS;

const cache = new Map<string, string>();

/**
 * The attributes of a row that hold one shard's exactly-once state: `attr`, the compact attribute written
 * today (`~` + 8 base64url characters of SHA-256 of stream ARN and shard id: 48 bits, 9 bytes), and `legacy`,
 * the 0.2 attribute (`w_<12 hex>`), still honoured in every condition so rows written before keep their state.
 *
 * @example
 * ```ts
 * shardStateAttrs(streamArn, 'shardId-00000001-abc'); // { attr: '~Xx3f_Q2a', legacy: 'w_5d41402abc4b' }
 * ```
 */
export function shardStateAttrs(source: string, shardId: string): { attr: string; legacy: string } {
  const id = `${source}|${shardId}`;
  let attr = cache.get(id);
  if (attr === undefined) {
    attr = `${SHARD_STATE_PREFIX}${createHash('sha256').update(id).digest('base64url').slice(0, 8)}`;
    if (cache.size > 10_000) cache.clear();
    cache.set(id, attr);
  }
  return { attr, legacy: watermarkAttr(source, shardId) };
}

/** The most finished shards whose states one write removes (a lineage rolls every few hours: 24 h is ~6). */
export const MAX_FINISHED_SHARDS = 16;

/**
 * The state attributes (compact and legacy) of finished shards, to remove from every row a batch writes: the
 * shards given must be ones whose records can never be delivered again, such as the ancestors (parent,
 * grandparent, …) of the batch's shard, since Lambda and the stream worker both finish a parent shard before
 * they read its children. The first {@link MAX_FINISHED_SHARDS} are taken (give the nearest first).
 *
 * @example
 * ```ts
 * finishedStateAttrs(streamArn, ['shardId-00000001-parent']); // ['~Q2a…', 'w_5d41…']
 * ```
 */
export function finishedStateAttrs(source: string, shardIds: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const shardId of (shardIds ?? []).slice(0, MAX_FINISHED_SHARDS)) {
    const { attr, legacy } = shardStateAttrs(source, shardId);
    out.push(attr, legacy);
  }
  return out;
}

/** A 40-digit padded sequence number without its leading zeros (`'0'` for zero). */
function stripped(seq: string): string {
  let i = 0;
  while (i < seq.length - 1 && seq.charCodeAt(i) === 48) i++;
  return seq.slice(i);
}

/**
 * The compact state value of a shard on a row: one number, the last applied sequence number followed by six
 * digits of the hour (since 1970, UTC) of that record, e.g. `1000000000000000000123` + `491234`. Compared
 * with {@link stateBound}`(first)` = `first × 10⁶` it orders exactly like the sequence numbers (the hour is
 * below 10⁶), and the hour says when the shard's records up to it stop being deliverable. Undefined when the
 * sequence number has more than 32 significant digits (no room for the hour in 38): such a value is written
 * in the legacy string form instead ({@link legacyStateValue}).
 *
 * @example
 * ```ts
 * encodeShardState('0'.repeat(19) + '100000000000000000123', Date.UTC(2026, 0, 1)); // { N: '100000000000000000123492168' }
 * ```
 */
export function encodeShardState(seq: string, approxMs: number): AttributeValue | undefined {
  const ms = Number.isFinite(approxMs) ? approxMs : Date.now();
  const hour = Math.min(MAX_HOUR, Math.max(0, Math.floor(ms / 3_600_000)));
  // consecutive rows of a batch mostly share their last record (two rows in three on the fold bench): the same
  // string, compared by identity first, so its digits are stripped and joined once
  if (seq !== encodedSeq || hour !== encodedHour) {
    const digits = stripped(seq);
    encodedSeq = seq;
    encodedHour = hour;
    encodedText =
      digits.length > MAX_SEQ_DIGITS ? undefined : digits === '0' ? String(hour) : digits + stamp(hour);
  }
  return encodedText === undefined ? undefined : { N: encodedText };
}

// the last state encoded: its sequence number, hour and value
let encodedSeq: string | undefined;
let encodedHour = Number.NaN;
let encodedText: string | undefined;

/** Six digits of an hour since 1970 (the last one's kept: a batch's records fall in one or two hours). */
function stamp(hour: number): string {
  if (hour !== stampHour) {
    stampHour = hour;
    stampText = String(hour).padStart(HOUR_DIGITS, '0');
  }
  return stampText;
}

let stampHour = Number.NaN;
let stampText = '';

/**
 * The legacy string form of a state value (`'<40 digits>|<epoch s>'`), for sequence numbers too long for the
 * compact number, written to the legacy attribute.
 *
 * @example
 * ```ts
 * legacyStateValue(seq, Date.now()); // { S: '0000…0042|1763800000' }
 * ```
 */
export function legacyStateValue(seq: string, approxMs: number): AttributeValue {
  return { S: watermarkValue(seq, approxMs) };
}

/**
 * The bound a stored compact value must be below for a row to take records from `first` on: `first × 10⁶`
 * (10³⁸, above every compact value, when `first` is too long to have one).
 *
 * @example
 * ```ts
 * stateBound('0'.repeat(19) + '100000000000000000124'); // { N: '100000000000000000124000000' }
 * ```
 */
export function stateBound(first: string): AttributeValue {
  // the last one's kept, as for encodeShardState: rows of a batch mostly share their first record too
  if (first !== boundSeq) {
    const digits = stripped(first);
    boundSeq = first;
    // compact values hold at most 32-digit sequences, so all of them lie below a longer first: 10³⁸ bounds them
    boundText =
      digits.length > MAX_SEQ_DIGITS ? `1${'0'.repeat(38)}` : digits === '0' ? '0' : `${digits}${HOUR_SCALE}`;
  }
  return { N: boundText };
}

let boundSeq: string | undefined;
let boundText = '';

/**
 * A stored shard state, compact (number) or legacy (string), as the 40-digit padded sequence number it
 * covers and the epoch second of that record (hour precision for compact values: the end of the hour, so
 * a state is never thought older than it is). Undefined for anything else.
 *
 * @example
 * ```ts
 * decodeShardState({ N: '100000000000000000123492168' }); // { seq: '000…100000000000000000123', epochSeconds: 1767225600 + 3600 }
 * ```
 */
export function decodeShardState(
  value: AttributeValue | undefined,
): { seq: string; epochSeconds: number } | undefined {
  if (value === undefined) return undefined;
  if (value.S !== undefined) return parseWatermark(value.S);
  const n = value.N;
  if (n === undefined || !/^\d+$/.test(n)) return undefined;
  const seqDigits = n.length > HOUR_DIGITS ? n.slice(0, -HOUR_DIGITS) : '0';
  const hour = Number(n.length > HOUR_DIGITS ? n.slice(-HOUR_DIGITS) : n);
  return { seq: seqDigits.padStart(40, '0'), epochSeconds: (hour + 1) * 3600 };
}

/**
 * The last sequence number of a shard a stored row holds: the larger of its compact and legacy states
 * (40-digit padded, comparable with batch sequence numbers as strings), or undefined when it holds neither.
 *
 * @example
 * ```ts
 * appliedSeq(out.Attributes, shardStateAttrs(streamArn, shardId)); // '000…0042' or undefined
 * ```
 */
export function appliedSeq(
  item: Record<string, AttributeValue> | undefined,
  attrs: { readonly attr: string; readonly legacy: string },
): string | undefined {
  if (item === undefined) return undefined;
  const a = shardStateOf(attrs.attr, item[attrs.attr])?.seq;
  const b = shardStateOf(attrs.legacy, item[attrs.legacy])?.seq;
  if (a === undefined) return b;
  if (b === undefined) return a;
  // strings of equal length: compared as text (Math.max would take them as numbers)
  if (a >= b) return a;
  return b;
}

const LEGACY_NAME = /^w_[0-9a-f]{12}$/;

/**
 * The shard state an attribute of a stored row holds, or undefined when it holds none: a compact state is a
 * number under a `~…` name, a legacy one a string under `w_<12 hex>` (a packed counter of a measure named `w`,
 * such as `w_22`, is neither).
 *
 * @example
 * ```ts
 * shardStateOf('~Xx3f_Q2a', { N: '100000000000000000123492168' }); // { seq: '000…123', epochSeconds: … }
 * shardStateOf('w_22', { N: '5' }); // undefined
 * ```
 */
export function shardStateOf(
  name: string,
  value: AttributeValue | undefined,
): { seq: string; epochSeconds: number } | undefined {
  if (value === undefined) return undefined;
  if (name.startsWith(SHARD_STATE_PREFIX)) return value.N === undefined ? undefined : decodeShardState(value);
  if (value.S !== undefined && LEGACY_NAME.test(name)) return decodeShardState(value);
  return undefined;
}

/**
 * The watermark guard of one row write for a shard: the compact state set (or the legacy string when the
 * sequence number is too long for it), conditioned on both encodings being missing or below the row's first
 * record, the other encoding removed by `UpdateItem` writes (its value is superseded), and refused while the row
 * is marked transactional (its writes then go through the per-shard transaction path).
 *
 * @example
 * ```ts
 * rowUpdateParams('aggregates', row, { now, watermark: rowWatermarkFor(attrs, row.firstSeq, row.lastSeq, row.lastApproxMs) });
 * ```
 */
export function rowWatermarkFor(
  attrs: { readonly attr: string; readonly legacy: string; readonly drop?: readonly string[] | undefined },
  firstSeq: string,
  lastSeq: string,
  lastApproxMs: number,
): RowWatermark {
  const compact = encodeShardState(lastSeq, lastApproxMs);
  const legacyBound: AttributeValue = { S: firstSeq };
  if (compact !== undefined)
    return {
      attr: attrs.attr,
      value: compact,
      first: stateBound(firstSeq),
      also: { attr: attrs.legacy, first: legacyBound },
      remove: attrs.legacy,
      drop: attrs.drop,
      refusedBy: TRANSACTIONAL_ATTR,
    };
  return {
    attr: attrs.legacy,
    value: legacyStateValue(lastSeq, lastApproxMs),
    first: legacyBound,
    also: { attr: attrs.attr, first: stateBound(firstSeq) },
    remove: attrs.attr,
    drop: attrs.drop,
    refusedBy: TRANSACTIONAL_ATTR,
  };
}

/**
 * The state a row write for a shard sets, alone: the `attr` and `value` of {@link rowWatermarkFor} (the compact
 * state, or the legacy string when the sequence number is too long for it), without its conditions. All a PartiQL
 * `INSERT` of a new row carries: it succeeds only where no item has the key, so there is nothing to condition.
 *
 * @example
 * ```ts
 * rowInsertStatement('aggregates', row, { now, watermark: rowStateFor(attrs, row.lastSeq, row.lastApproxMs) });
 * ```
 */
export function rowStateFor(
  attrs: { readonly attr: string; readonly legacy: string },
  lastSeq: string,
  lastApproxMs: number,
): { readonly attr: string; readonly value: AttributeValue } {
  const compact = encodeShardState(lastSeq, lastApproxMs);
  if (compact !== undefined) return { attr: attrs.attr, value: compact };
  return { attr: attrs.legacy, value: legacyStateValue(lastSeq, lastApproxMs) };
}

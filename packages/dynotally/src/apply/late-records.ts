import type { DynamoDBRecord } from 'aws-lambda';
import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';
import { HORIZON_MARGIN_SECONDS } from './redelivery-horizon.ts';

/**
 * The age (seconds, by this process's clock, from the record's `ApproximateCreationDateTime`) past which a stream
 * record is too late to be counted exactly once: the redelivery horizon less half its margin.
 *
 * Why: a shard's state on a row is pruned once the row's last record of that shard is older than the horizon
 * (`pruneAfterSeconds`), by the clock of whichever process writes the row next. A record that arrives later than
 * that (AWS keeps records past 24 h "subject to trimming", not removed at 24 h; a mapping without a maximum record
 * age retries a failing batch until then) may find its state pruned from a row it was already added to by an
 * earlier, half-applied delivery, and would be counted there twice. Every record at most this old is safe: its
 * state's hour ends no earlier than the record, and the other half of the margin covers clock skew between
 * writers (up to 15 minutes) and the call's writes (sent for 10 minutes after the late point, each landing within
 * 5 minutes: `SEND_AFTER_LATE_SECONDS`, which refuses later requests of every caller, Lambda's included). The other half
 * is the lag a record at the edge of the stream's retention (or the mapping's maximum age) may still be delivered
 * with and be counted: 30 minutes.
 *
 * @example
 * ```ts
 * lateAfterSeconds(pruneAfterSeconds(undefined)); // 88_200 (24 h 30 min)
 * ```
 */
export function lateAfterSeconds(horizonSeconds: number): number {
  return horizonSeconds - HORIZON_MARGIN_SECONDS / 2;
}

/**
 * The records of a batch older than `lateAfter` seconds at `nowMs` (see {@link lateAfterSeconds}), and the rest,
 * each in the batch's order. A record without a usable `ApproximateCreationDateTime` (epoch seconds) is on time.
 *
 * @example
 * ```ts
 * const { late, onTime } = splitLate(records, Date.now(), lateAfterSeconds(horizon));
 * ```
 */
export function splitLate(
  records: readonly DynamoDBRecord[],
  nowMs: number,
  lateAfter: number,
): { late: DynamoDBRecord[]; onTime: readonly DynamoDBRecord[] } {
  const cutoff = nowMs / 1000 - lateAfter;
  const late: DynamoDBRecord[] = [];
  for (const r of records) {
    const t = r.dynamodb?.ApproximateCreationDateTime as unknown;
    if (typeof t === 'number' && Number.isFinite(t) && t < cutoff) late.push(r);
  }
  if (late.length === 0) return { late, onTime: records };
  const set = new Set(late);
  return { late, onTime: records.filter((r) => !set.has(r)) };
}

/**
 * The `RECORD_TOO_OLD` error of a record {@link splitLate} found late at `nowMs` (past `lateAfter` seconds): why it
 * was not applied, and that its letter's rows must be checked before it is replayed.
 *
 * @example
 * ```ts
 * const error = recordTooOld(record, Date.now(), lateAfterSeconds(horizon)); // code 'RECORD_TOO_OLD'
 * ```
 */
export function recordTooOld(record: DynamoDBRecord, nowMs: number, lateAfter: number): DynotallyError {
  const created = record.dynamodb?.ApproximateCreationDateTime as number;
  return new DynotallyError(
    'RECORD_TOO_OLD',
    `the record was ${Math.round(nowMs / 1000 - created)} s old when it was applied, past the ${lateAfter} s within which it counts exactly once (its shard's exactly-once state is pruned from rows after the stream's retention or the mapping's maximum record age, plus an hour), so it was not applied: an earlier delivery may have counted it on rows whose state is pruned, so check them (dynotally verify) before replaying this letter`,
    { details: { ageSeconds: nowMs / 1000 - created, lateAfterSeconds: lateAfter } },
  );
}

const LATE_RECORDS: readonly unknown[] = ['apply', 'dead-letter'];

/**
 * Throws `CONFIG_INVALID` when an applier's `lateRecords` is set to anything but `'apply'` or `'dead-letter'`: only
 * `'dead-letter'` turns the late-record guard on, so a typo from plain JavaScript or an environment variable
 * (`'deadletter'`) would silently count late records, where they may count twice.
 *
 * @example
 * ```ts
 * checkLateRecords(options.lateRecords); // throws for 'deadletter'; undefined, 'apply' and 'dead-letter' pass
 * ```
 */
export function checkLateRecords(value: unknown): void {
  if (value === undefined || LATE_RECORDS.includes(value)) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `lateRecords is ${shownValue(value)}: expected 'dead-letter' (records older than the redelivery horizon less 30 min go to the dead letters as RECORD_TOO_OLD) or 'apply'`,
    { details: { lateRecords: shownDetail(value) } },
  );
}

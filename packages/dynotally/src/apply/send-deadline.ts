import type { DynamoDBRecord } from 'aws-lambda';
import { HORIZON_MARGIN_SECONDS } from './redelivery-horizon.ts';

/**
 * How far ahead of this process's clock another writer's clock may run (15 minutes), for the send deadlines below: a
 * guard that writer drops at `x` by its clock may be gone at `x` less this by this one's.
 *
 * @example
 * ```ts
 * WRITER_CLOCK_SKEW_SECONDS; // 900
 * ```
 */
export const WRITER_CLOCK_SKEW_SECONDS = 15 * 60;

/**
 * How long a request sent before a send deadline may still take to land (5 minutes): the SDK client's own attempts
 * of it, each bounded by its timeouts. The deadlines below stop sending this long before the guard may be gone.
 *
 * @example
 * ```ts
 * REQUEST_IN_FLIGHT_SECONDS; // 300
 * ```
 */
export const REQUEST_IN_FLIGHT_SECONDS = 5 * 60;

/**
 * How long after a record turns late (`lateAfterSeconds`) a request writing it may still be sent: 10 minutes.
 *
 * The arithmetic (default horizon, `pruneAfterSeconds`: 24 h retention + 1 h margin = 25 h): another shard's writer
 * prunes a state once the end of its stamp's hour is 25 h old by its own clock. The state guarding a redelivered
 * record was stamped by a record at or after it, so its hour ends no earlier than the record's creation time `c`:
 * pruning comes no earlier than `c + 25 h` on that writer's clock and, with that clock up to
 * {@link WRITER_CLOCK_SKEW_SECONDS} (15 min) ahead of this one, no earlier than `c + 24 h 45 min` on this one. The
 * late check lets a record through at most `lateAfterSeconds` = 24 h 30 min old, which leaves its writes 15 minutes
 * to land; a request sent may take {@link REQUEST_IN_FLIGHT_SECONDS} (5 min) to land, so sending stops 10 minutes
 * after the late point: no request of the batch is sent past `c + 24 h 40 min` of its oldest on-time record (the
 * call fails with `RECORD_TOO_OLD`, and its redelivery finds the records late: `RECORD_TOO_OLD` letters, probed for
 * the rows the call reached). This holds for every caller: a stream worker's call (`applyTimeoutMs` up to 24.8 days,
 * or `Infinity`), a direct `Applier.apply`, and a Lambda invocation alike. Lambda's own 15-minute bound does not fit
 * in it: an invocation that started on a record just under the late point and sent for 15 minutes could have its
 * last request land 20 minutes after the late point, 5 minutes past the earliest prune. So an invocation (or call)
 * that runs over 10 minutes on records within 10 minutes of the late point fails, and those records are
 * dead-lettered as late on its retry: a letter to check, never a count twice. A full 15 minutes would only fit with
 * the late point 5 minutes earlier (24 h 25 min, turning away more on-time records) or a smaller skew allowance.
 * Same arithmetic for a shorter horizon (a mapping's maximum record age): the margin is the same.
 *
 * @example
 * ```ts
 * SEND_AFTER_LATE_SECONDS; // 600
 * ```
 */
export const SEND_AFTER_LATE_SECONDS =
  HORIZON_MARGIN_SECONDS / 2 - WRITER_CLOCK_SKEW_SECONDS - REQUEST_IN_FLIGHT_SECONDS;

/**
 * How long after a record turns late it may still be settled (a late record an earlier delivery refused for good
 * and partly took back, its exclusion carried: `lateToSettle`): {@link SEND_AFTER_LATE_SECONDS}, 10 minutes, the
 * on-time records' bound, and its requests are held to the same send deadline (`c + 24 h 40 min` by default).
 *
 * The arithmetic: a settle takes the record back from each row it reached with a take-back whose condition needs two
 * things on the row (`compensationUpdateParams`): the shard's STATE at or past the record (`#w >= :p OR #wc >= :pc`)
 * and no take-back MARKER (`attribute_not_exists(#x)`). The state is the shorter-lived of the two: another shard's
 * writer prunes it once the end of its stamp's hour is the horizon (25 h) old by its own clock (`staleStatesOf`),
 * so, as for an on-time record, no earlier than `c + 25 h` there and `c + 24 h 45 min` here
 * ({@link WRITER_CLOCK_SKEW_SECONDS}). A take-back landing after that fails its condition on a row that still
 * holds the record, is skipped as "never reached", and the row keeps the record while its letter says it is left
 * out of every count (review s35r). Less {@link REQUEST_IN_FLIGHT_SECONDS}: the last settle request goes out by
 * `c + 24 h 40 min`, exactly the on-time cut. A record older than that when the delivery starts could send nothing
 * in time, so it is not settled but dead-lettered as `RECORD_TOO_OLD`, its letter probed (`pendingRowsOf`): a row
 * the record was taken back from holds the marker and is pending, a row that kept it holds the state and is not,
 * a row that refused it never took the state and is pending; a replay of the letter writes the pending rows only,
 * so the record counts once on each (its message says to check rows whose state or marker may since be pruned).
 * The marker (dropped at the horizon + {@link HORIZON_MARGIN_SECONDS}, 26 h, so no earlier than `c + 25 h 45 min`
 * here) outlives this deadline by 65 minutes, so it never binds. (The window used to be the horizon, 25 h, with a
 * `c + 25 h 40 min` deadline derived from the marker alone: review s35r showed the state gone first.)
 *
 * @example
 * ```ts
 * SETTLE_AFTER_LATE_SECONDS; // 600
 * ```
 */
export const SETTLE_AFTER_LATE_SECONDS = SEND_AFTER_LATE_SECONDS;

/**
 * The epoch ms after which no request of a batch applied exactly once may be sent: the earliest, over its records
 * (on time, or late and kept in the batch to be settled: {@link SETTLE_AFTER_LATE_SECONDS} is the same bound), of
 * the creation time (`ApproximateCreationDateTime`) + `lateAfter` + {@link SEND_AFTER_LATE_SECONDS}; `undefined`
 * when no record has a usable time (as `splitLate`, such a record is never late).
 *
 * @example
 * ```ts
 * const by = sendDeadline(onTime, lateAfterSeconds(horizonSeconds)); // oldest + 24 h 40 min
 * sendDeadline([settled, onTime], lateAfter); // min(settled, onTime) + 24 h 40 min
 * ```
 */
export function sendDeadline(records: readonly DynamoDBRecord[], lateAfter: number): number | undefined {
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of records) {
    const t = r.dynamodb?.ApproximateCreationDateTime as unknown;
    if (typeof t === 'number' && Number.isFinite(t) && t < oldest) oldest = t;
  }
  return oldest === Number.POSITIVE_INFINITY
    ? undefined
    : (oldest + lateAfter + SEND_AFTER_LATE_SECONDS) * 1000;
}

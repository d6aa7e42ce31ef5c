import type { DynamoDBRecord } from 'aws-lambda';
import { HORIZON_MARGIN_SECONDS } from './redelivery-horizon.ts';

/**
 * How long after a record turns late (`lateAfterSeconds`) a request writing it may still be sent: 10 minutes.
 *
 * The arithmetic (default horizon, `pruneAfterSeconds`: 24 h retention + 1 h margin = 25 h): another shard's writer
 * prunes a state once the end of its stamp's hour is 25 h old by its own clock. The state guarding a redelivered
 * record was stamped by a record at or after it, so its hour ends no earlier than the record's creation time `c`:
 * pruning comes no earlier than `c + 25 h` on that writer's clock and, with that clock up to 15 minutes ahead of
 * this one, no earlier than `c + 24 h 45 min` on this one. The late check lets a record through at most
 * `lateAfterSeconds` = 24 h 30 min old, which leaves its writes 15 minutes to land: the Lambda invocation's bound.
 * A stream worker's call (`applyTimeoutMs` up to 24.8 days, or `Infinity`) and a direct `Applier.apply` have no
 * such bound, so no request of the batch is sent past `c + 24 h 30 min + 10 min` of its oldest on-time record:
 * the call fails, and its redelivery finds the records late (`RECORD_TOO_OLD` letters, probed for the rows the
 * call reached). The 5 minutes left cover a request sent just before (the SDK client's own attempts, each bounded
 * by its timeouts). Same arithmetic for a shorter horizon (a mapping's maximum record age): the margin is the same.
 *
 * @example
 * ```ts
 * SEND_AFTER_LATE_SECONDS; // 600
 * ```
 */
export const SEND_AFTER_LATE_SECONDS = HORIZON_MARGIN_SECONDS / 6;

/**
 * The epoch ms after which no request of a batch applied exactly once may be sent: its oldest record's creation
 * time (`ApproximateCreationDateTime`) + `lateAfter` + {@link SEND_AFTER_LATE_SECONDS}; `undefined` when no record has
 * a usable time (as `splitLate`, such a record is never late). Records in `settling` (late records an earlier
 * delivery refused for good, kept in the batch to be settled) are left out: they are late already.
 *
 * @example
 * ```ts
 * const by = sendDeadline(onTime, lateAfterSeconds(horizonSeconds)); // oldest + 24 h 40 min
 * ```
 */
export function sendDeadline(
  records: readonly DynamoDBRecord[],
  lateAfter: number,
  settling?: ReadonlySet<DynamoDBRecord>,
): number | undefined {
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of records) {
    if (settling?.has(r) === true) continue;
    const t = r.dynamodb?.ApproximateCreationDateTime as unknown;
    if (typeof t === 'number' && Number.isFinite(t) && t < oldest) oldest = t;
  }
  return oldest === Number.POSITIVE_INFINITY
    ? undefined
    : (oldest + lateAfter + SEND_AFTER_LATE_SECONDS) * 1000;
}

import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { paddedSequence } from '../decode/index.ts';

/**
 * How much older than a lease's `latestFrom` a record must look before a later owner skips it as history. DynamoDB
 * rounds `ApproximateCreationDateTime` down to the second, DynamoDB Local truncates it to the minute, and the worker's
 * clock may be a little off DynamoDB's: a minute covers all three, so no record written after `latestFrom` is ever
 * skipped; the price is that up to a minute of changes from before it may be counted (only after a crash, see
 * docs/worker.md).
 */
export const LATEST_MARGIN_MS = 60_000;

/**
 * How many of `records` (a `GetRecords` page, in order) a consumer resuming a `LATEST` lease by its `latestFrom`
 * skips: the leading ones created more than {@link LATEST_MARGIN_MS} before it. A record without a creation time
 * is kept (counted), and so is everything after the first kept record.
 *
 * @example
 * ```ts
 * const skip = historyPrefix(page.Records ?? [], lease.latestFrom!);
 * const counted = (page.Records ?? []).slice(skip);
 * ```
 */
export function historyPrefix(records: readonly _Record[], latestFrom: number): number {
  const before = latestFrom - LATEST_MARGIN_MS;
  let i = 0;
  while (i < records.length) {
    const t = records[i]?.dynamodb?.ApproximateCreationDateTime?.getTime();
    if (t === undefined || !(t < before)) break;
    i += 1;
  }
  return i;
}

/**
 * Where a `LATEST` lease without checkpoint is pinned when its first consumer gives it up: after the last record
 * that precedes the first record the consumer's `LATEST` iterator returned (`checkpoint`), or at `TRIM_HORIZON` when
 * no record precedes it (`horizon`).
 *
 * @example
 * ```ts
 * const pin: LatestPin = { kind: 'checkpoint', sequenceNumber: '000000000000000000042' };
 * ```
 */
export type LatestPin =
  | { readonly kind: 'checkpoint'; readonly sequenceNumber: string }
  | { readonly kind: 'horizon' };

/**
 * The pin of a `LATEST` lease, pure: `skimmed` are the sequence numbers read from `TRIM_HORIZON` to the shard's tip
 * (in order; only the last ones when `truncated`), `first` the first record at or after the consumer's `LATEST`
 * position, if any. Records before `first` are history; so is everything skimmed when there is no `first`.
 * `undefined` when the pin cannot be known (the skimmed tail holds no record before `first`, though earlier ones
 * were dropped).
 *
 * @example
 * ```ts
 * latestPin(['10', '13', '16'], '16', false); // { kind: 'checkpoint', sequenceNumber: '13' }
 * latestPin([], undefined, false); // { kind: 'horizon' }
 * ```
 */
export function latestPin(
  skimmed: readonly string[],
  first: string | undefined,
  truncated: boolean,
): LatestPin | undefined {
  const bound = first === undefined ? undefined : paddedSequence(first);
  for (let i = skimmed.length - 1; i >= 0; i--) {
    const seq = skimmed[i] as string;
    const padded = paddedSequence(seq);
    if (bound === undefined || (padded !== undefined && padded < bound))
      return { kind: 'checkpoint', sequenceNumber: seq };
  }
  return truncated ? undefined : { kind: 'horizon' };
}

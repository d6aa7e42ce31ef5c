import type { DynamoDBRecord } from 'aws-lambda';
import { orderBatch } from '../decode/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import type { StreamBatchResponse } from '../handler/index.ts';

/**
 * Lambda-like failure handling of one batch.
 *
 * @example
 * ```ts
 * const policy: FailurePolicy = { maxRetries: 3, bisectOnError: true, maxRecordAgeMs: 3_600_000, retryBaseMs: 200, retryMaxMs: 5_000 };
 * ```
 */
export interface FailurePolicy {
  /** Retries of a failing batch (or bisected half) before it is split or dead-lettered; `Infinity` retries until `maxRecordAgeMs`. */
  readonly maxRetries: number;
  /** Split a batch that keeps failing into halves, down to the single record that fails. */
  readonly bisectOnError: boolean;
  /** Records older than this (by `ApproximateCreationDateTime`) go to the dead-letter sink unprocessed. */
  readonly maxRecordAgeMs?: number | undefined;
  /** First retry backoff in ms (doubles per retry, with jitter). */
  readonly retryBaseMs: number;
  /** Largest retry backoff in ms. */
  readonly retryMaxMs: number;
}

/**
 * Why records were dead-lettered by the worker itself (the handler dead-letters malformed records on its own).
 *
 * @example
 * ```ts
 * const code: SkipCode = 'RETRIES_EXHAUSTED';
 * ```
 */
export type SkipCode = 'RECORD_TOO_OLD' | 'RETRIES_EXHAUSTED';

/**
 * What the batch processor needs from its shard consumer.
 *
 * @example
 * ```ts
 * const deps: BatchProcessorDeps = { handle, deadLetter, checkpoint, aborted: () => false, sleep: (ms) => sleep(ms), now: Date.now };
 * ```
 */
export interface BatchProcessorDeps {
  /** Runs the stream handler on records (in sequence order). A throw counts as a failure of all of them. */
  handle(records: readonly DynamoDBRecord[]): Promise<StreamBatchResponse>;
  /** The error behind the last failed {@link handle} call, for dead-letter reasons. */
  lastError?(): unknown;
  /**
   * Stores records that will not be processed; throws when it could not. `through` is the record the
   * checkpoint moves to right after: a sink that can commits that checkpoint with the letters, so a crash
   * between the two never dead-letters a record that a redelivery then applies.
   */
  deadLetter(
    records: readonly DynamoDBRecord[],
    code: SkipCode,
    reason: string,
    through?: DynamoDBRecord,
  ): Promise<void>;
  /** Called before each wait after a failed attempt (handler or dead-letter sink), so a stall shows in stats. */
  onFailure?(failure: BatchFailure): void;
  /** Called when a batch that had failed moves on again (applied, dead-lettered or abandoned). */
  onRecovered?(): void;
  /** Records that everything up to and including `record` is done. Throws `LEASE_LOST` when the shard is gone. */
  checkpoint(record: DynamoDBRecord): Promise<void>;
  /** True once the batch should be abandoned (stop, lease lost). */
  aborted(): boolean;
  sleep(ms: number): Promise<void>;
  now(): number;
  random?(): number;
}

/**
 * One failed attempt of a batch, as the worker reports it live.
 *
 * @example
 * ```ts
 * const f: BatchFailure = { attempt: 2, records: 100, error: 'ThrottlingException: slow down', backoffMs: 400, stage: 'handler' };
 * ```
 */
export interface BatchFailure {
  /** Consecutive failed attempts of the current (half) batch. */
  attempt: number;
  /** Records in the failing (half) batch. */
  records: number;
  error: string;
  /** How long the batch waits before its next attempt (ms). */
  backoffMs: number;
  /** What failed: the stream handler, or the dead-letter sink storing skipped records. */
  stage: 'handler' | 'dead-letter';
  /**
   * Set when the batch is waited out, retried for as long as the failure lasts and never split or dead-lettered:
   * `'redis'` while the Redis buffer is unreachable or its replicas lag (`REDIS_UNAVAILABLE`, `REDIS_NOT_REPLICATED`),
   * `'dynamodb'` while a batch the buffer took cannot be finished (`BUFFERED_BATCH_UNFINISHED`: its extrema writes to
   * DynamoDB or its letters failed; Redis answers, it holds the batch), `'deployment'` while the write side refuses the batch for what the process deploys (`VERSION_NOT_DEPLOYED`,
   * `VERSION_UNKNOWN`, `CONFIG_INVALID`).
   */
  waiting?: WaitReason | undefined;
}

/**
 * Why a failing batch is waited out instead of retried a bounded number of times: see {@link BatchFailure.waiting}.
 *
 * @example
 * ```ts
 * const why: WaitReason = 'redis';
 * ```
 */
export type WaitReason = 'redis' | 'dynamodb' | 'deployment';

/**
 * What happened to one batch.
 *
 * @example
 * ```ts
 * const { processed, deadLettered, completed } = await processBatch(records, policy, deps);
 * ```
 */
export interface BatchOutcome {
  /** Records the handler applied. */
  processed: number;
  /** Records sent to the dead-letter sink by the worker. */
  deadLettered: number;
  /** Handler calls repeated after a failure. */
  retries: number;
  /** Times a failing batch was split in two. */
  bisections: number;
  /** False when the batch was abandoned part way (stop or lost lease); the unfinished rest is redelivered. */
  completed: boolean;
  /** The last record checkpointed, if any. */
  checkpointed?: DynamoDBRecord | undefined;
}

/**
 * Codes with which a write side fails a batch for the deployment of the process or its Redis buffer, never for the
 * records: a batch failed so is retried with backoff for as long as it fails so, never split or dead-lettered.
 * `CONFIG_INVALID` from a write side is a configuration it finds wrong only when it meets the table: a second Redis
 * buffer on a table another buffer owns, a claim table other than the one a version under backfill is bound to.
 * Every record would fail the same, and dead-lettering them all (`RETRIES_EXHAUSTED`) would leave a replay of the
 * whole outage. `REDIS_UNAVAILABLE` (the Redis buffer with `onRedisDown: 'fail'`: Redis unreachable, or no answer
 * within `redisTimeoutMs`) and `REDIS_NOT_REPLICATED` (its `waitReplicas`: too few replicas hold the batch) are waited
 * out the same way: they say nothing of the records, and the batch may be in Redis already (a script Redis ran
 * although its reply was lost; on the primary), so a letter of it would count its records twice when replayed; the
 * retry once Redis answers finds the shard's watermark moved and adds nothing again. `BUFFERED_BATCH_UNFINISHED` (a
 * step after the buffer's script took the batch failed: its extrema writes, its own letters) is waited out for the
 * same reason: Redis holds the batch (review s40v).
 */
const WAITED_OUT: ReadonlyMap<string, WaitReason> = new Map([
  ['VERSION_NOT_DEPLOYED', 'deployment'],
  ['VERSION_UNKNOWN', 'deployment'],
  ['CONFIG_INVALID', 'deployment'],
  ['REDIS_NOT_REPLICATED', 'redis'],
  ['REDIS_UNAVAILABLE', 'redis'],
  // DynamoDB (or the sink) failed, not Redis: its own reason, so nobody looks for a Redis outage (review s41r)
  ['BUFFERED_BATCH_UNFINISHED', 'dynamodb'],
]);

/** Codes with which a handler call ends because the shard's lease is gone or given up: the batch is abandoned. */
const GIVEN_UP: ReadonlySet<string> = new Set(['LEASE_LOST', 'APPLY_TIMEOUT']);

/** Why `e` is waited out (see {@link WAITED_OUT}), or `undefined` for an ordinary failure. */
const waitedOut = (e: unknown): WaitReason | undefined =>
  isDynotallyError(e) ? WAITED_OUT.get(e.code) : undefined;

const seqOf = (r: DynamoDBRecord): string | undefined => r.dynamodb?.SequenceNumber;

/**
 * Epoch ms of a Lambda-shaped record's `ApproximateCreationDateTime` (epoch seconds), or `undefined`.
 *
 * @example
 * ```ts
 * const ageMs = Date.now() - (approximateCreationMs(record) ?? Date.now());
 * ```
 */
export function approximateCreationMs(record: DynamoDBRecord): number | undefined {
  const s = record.dynamodb?.ApproximateCreationDateTime;
  return typeof s === 'number' && Number.isFinite(s) ? s * 1000 : undefined;
}

/** Index of the first record the response reports failed; -1 when none did; 0 when the id is unknown. */
function firstFailure(records: readonly DynamoDBRecord[], response: StreamBatchResponse): number {
  const failures = response.batchItemFailures ?? [];
  if (failures.length === 0) return -1;
  const ids = new Set(failures.map((f) => f.itemIdentifier));
  const i = records.findIndex((r) => {
    const s = seqOf(r);
    return s !== undefined && ids.has(s);
  });
  return i === -1 ? 0 : i; // an identifier we did not send: Lambda retries the whole batch
}

function describe(error: unknown): string {
  // the code is what the docs name (REDIS_UNAVAILABLE, CONFIG_INVALID …): say it in stats and letters' reasons
  if (isDynotallyError(error)) return `${error.name} [${error.code}]: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return error === undefined ? 'the handler reported the record as failed' : String(error);
}

/**
 * Processes one batch with Lambda's failure semantics and checkpoints as it goes:
 * records older than `maxRecordAgeMs` are dead-lettered first, with a checkpoint through them (an old record
 * after a younger one waits until the records before it are done); the handler's `batchItemFailures` are
 * honoured (the records before the first failure are done and checkpointed); a failing batch is retried
 * `maxRetries` times with exponential backoff, then — with `bisectOnError` — split into halves that are
 * processed in order, each with fresh retries, down to a single record; a single record (or, without
 * bisection, the whole rest) that still fails is dead-lettered with `RETRIES_EXHAUSTED` and checkpointed, so
 * one bad record never blocks a shard. A batch the write side refuses for what the process deploys
 * (`VERSION_NOT_DEPLOYED`: a newer rollup version it does not deploy; `VERSION_UNKNOWN`: its definitions of a
 * rollup all retired; `CONFIG_INVALID`: a configuration the write side refuses when it meets the table, such as a
 * second Redis buffer on one table), or fails for its Redis buffer (`REDIS_UNAVAILABLE`: Redis down;
 * `REDIS_NOT_REPLICATED`: too few Redis replicas hold a buffered batch), is not the records' fault: it is retried
 * with backoff for as long as it fails so, never split or dead-lettered (`maxRecordAgeMs` still applies to a
 * deployment refusal, not once the segment failed for Redis: its records may be there already), its
 * failures reported with `waiting` ({@link BatchFailure.waiting}). A stop or lost lease abandons the batch
 * between handler calls; what was checkpointed stays done and the rest is redelivered to the next owner.
 *
 * @example
 * ```ts
 * const outcome = await processBatch(records, policy, {
 *   handle: (rs) => handler({ Records: [...rs], shardId, eventSourceARN: streamArn }),
 *   deadLetter: (rs, code, reason) => sink.send(rs.map((r) => letterOf(r, code, reason))),
 *   checkpoint: (r) => leases.checkpoint(shardId, r.dynamodb!.SequenceNumber!),
 *   aborted: () => stopping,
 *   sleep: (ms) => sleep(ms, signal),
 *   now: Date.now,
 * });
 * ```
 */
export async function processBatch(
  batch: readonly DynamoDBRecord[],
  policy: FailurePolicy,
  deps: BatchProcessorDeps,
): Promise<BatchOutcome> {
  // in sequence order without duplicates before anything is split, retried or checkpointed
  const records = orderBatch(batch);
  const outcome: BatchOutcome = {
    processed: 0,
    deadLettered: 0,
    retries: 0,
    bisections: 0,
    completed: false,
  };
  if (records.length === 0) {
    outcome.completed = true;
    return outcome;
  }
  const random = deps.random ?? Math.random;
  const backoff = (attempt: number) =>
    Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);

  const checkpoint = async (record: DynamoDBRecord) => {
    await deps.checkpoint(record);
    outcome.checkpointed = record;
  };

  let failing = false;
  const noteFailure = (f: BatchFailure) => {
    failing = true;
    deps.onFailure?.(f);
  };
  const recovered = () => {
    if (!failing) return;
    failing = false;
    deps.onRecovered?.();
  };

  // A dead-letter sink that cannot store the records blocks the shard (skipping them would lose them),
  // retried with backoff until it works or the batch is abandoned. A call given up as hung (APPLY_TIMEOUT) or one
  // that found the lease gone (LEASE_LOST) abandons the batch at once: the next owner redelivers the records.
  const skip = async (
    rs: readonly DynamoDBRecord[],
    code: SkipCode,
    reason: string,
    through?: DynamoDBRecord,
  ): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      if (deps.aborted()) return false;
      try {
        await deps.deadLetter(rs, code, reason, through);
        outcome.deadLettered += rs.length;
        return true;
      } catch (e) {
        if (isDynotallyError(e) && GIVEN_UP.has(e.code)) return false;
        outcome.retries += 1;
        const wait = backoff(Math.min(attempt, 16));
        noteFailure({
          attempt,
          records: rs.length,
          error: describe(e),
          backoffMs: Math.round(wait),
          stage: 'dead-letter',
        });
        await deps.sleep(wait);
      }
    }
  };

  // Records past maxRecordAgeMs leave the batch before every handler call (so retrying forever still ends). Like
  // RETRIES_EXHAUSTED, their letters go with a checkpoint through the last of them (`through`: committed with the
  // letters when the sink can), so a batch abandoned afterwards (a stop, a lost lease while the handler fails) never
  // leaves a letter of a record the next owner reads again and may apply (a replay would then count it twice). Only
  // an old prefix can be checkpointed that way: an old record after a young one (creation times out of order) splits
  // the segment there (`splitAt`), and leaves once the records before it are done. `rest` is what is still to
  // apply ([] when all were old and are checkpointed); `undefined` when the batch was abandoned.
  const dropOld = async (
    seg: readonly DynamoDBRecord[],
  ): Promise<{ rest: readonly DynamoDBRecord[]; splitAt: number } | undefined> => {
    if (policy.maxRecordAgeMs === undefined) return { rest: seg, splitAt: -1 };
    const cutoff = deps.now() - policy.maxRecordAgeMs;
    const isOld = (r: DynamoDBRecord) => (approximateCreationMs(r) ?? Number.POSITIVE_INFINITY) < cutoff;
    let n = 0;
    while (n < seg.length && isOld(seg[n]!)) n++;
    const rest = seg.slice(n);
    const splitAt = rest.findIndex(isOld);
    if (n === 0) return { rest, splitAt };
    const last = seg[n - 1]!;
    const reason = `the record was older than maxRecordAgeMs (${policy.maxRecordAgeMs} ms) when the worker reached it, so it was not applied: raise maxRecordAgeMs or add workers if the stream lags`;
    if (!(await skip(seg.slice(0, n), 'RECORD_TOO_OLD', reason, last))) return undefined;
    await checkpoint(last);
    return { rest, splitAt };
  };

  const segment = async (seg: readonly DynamoDBRecord[]): Promise<boolean> => {
    let failures = 0;
    let refusals = 0;
    // set once an attempt failed for the Redis buffer (REDIS_UNAVAILABLE, REDIS_NOT_REPLICATED, BUFFERED_BATCH_UNFINISHED): the records may be in
    // Redis already (a script it ran although its reply was lost), and a letter of them (all rows pending: the
    // buffer's letters are all-or-nothing) would count them twice when replayed, so maxRecordAgeMs no longer drops
    // them: they wait with the rest until Redis answers (review s40v)
    let inDoubt = false;
    const end = seg[seg.length - 1]!;
    for (;;) {
      if (deps.aborted()) return false;
      if (!inDoubt) {
        const fresh = await dropOld(seg);
        if (fresh === undefined) return false;
        seg = fresh.rest;
        if (seg.length === 0) return true; // all old: dead-lettered and checkpointed through `end`
        if (fresh.splitAt > 0)
          return (await segment(seg.slice(0, fresh.splitAt))) && (await segment(seg.slice(fresh.splitAt)));
      }
      let failed: number;
      let error: unknown;
      try {
        failed = firstFailure(seg, await deps.handle(seg));
        if (failed !== -1) error = deps.lastError?.();
      } catch (e) {
        failed = 0;
        error = e;
      }
      // the write side found the lease (nearly) run out, or its call was taken as hung and the lease given up
      // (APPLY_TIMEOUT): another worker applies these records; this is no failure of theirs, so neither a retry nor
      // a dead letter
      if (failed !== -1 && isDynotallyError(error) && GIVEN_UP.has(error.code)) return false;
      if (failed === -1) {
        recovered();
        outcome.processed += seg.length;
        await checkpoint(end);
        return true;
      }
      if (failed > 0) {
        // Partial success: the prefix is done; only the rest is retried, with a fresh budget.
        outcome.processed += failed;
        await checkpoint(seg[failed - 1]!);
        seg = seg.slice(failed);
        failures = 0;
      }
      // the write side refused the batch for what this process deploys, not for its records (a newer rollup
      // version it does not deploy, a definition whose versions are all retired), or its Redis buffer is down:
      // splitting or dead-lettering would only skip good records (and a letter of a batch Redis took although its
      // reply was lost would count it twice when replayed), so the shard waits, retried with backoff, until the
      // control item allows the batch (a version retired), the worker is replaced by one that deploys what it
      // needs, or Redis answers. Refusals have a count of their own: they use none of the retries an ordinary
      // failure gets once the refusal ends
      // one more try of the segment after a backoff (the attempt's own count sets the wait)
      const retry = async (attempt: number, backoffAttempt: number, waiting?: WaitReason): Promise<void> => {
        outcome.retries += 1;
        const wait = backoff(backoffAttempt);
        noteFailure({
          attempt,
          records: seg.length,
          error: describe(error),
          backoffMs: Math.round(wait),
          stage: 'handler',
          ...(waiting === undefined ? {} : { waiting }),
        });
        await deps.sleep(wait);
      };
      const waiting = waitedOut(error);
      if (waiting !== undefined) {
        // Redis may hold the batch (or does: a buffered batch left unfinished)
        if (waiting === 'redis' || waiting === 'dynamodb') inDoubt = true;
        refusals += 1;
        await retry(refusals, Math.min(refusals, 16), waiting);
        continue;
      }
      refusals = 0;
      failures += 1;
      if (failures <= policy.maxRetries) {
        await retry(failures, failures);
        continue;
      }
      if (policy.bisectOnError && seg.length > 1) {
        outcome.bisections += 1;
        const mid = Math.ceil(seg.length / 2);
        return (await segment(seg.slice(0, mid))) && (await segment(seg.slice(mid)));
      }
      const reason = `the stream handler failed ${failures} times on ${seg.length === 1 ? 'this record' : `this batch of ${seg.length} records`} (last error: ${describe(error)}); it was skipped so the shard can move on: fix the cause, then replay it from the dead-letter sink`;
      if (!(await skip(seg, 'RETRIES_EXHAUSTED', reason, end))) return false;
      await checkpoint(end);
      return true;
    }
  };

  try {
    outcome.completed = await segment(records);
  } finally {
    recovered();
  }
  return outcome;
}

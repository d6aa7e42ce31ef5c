import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/index.ts';
import { boundedCall } from './bounded-call.ts';
import { parseLeaseItem, SHARD_END, type ShardLease, type WorkerPresence } from './lease.ts';
import { holderId, type LeaseHolder } from './lease-expressions.ts';
import {
  type CheckpointOptions,
  checkpointParams,
  createLeaseParams,
  deleteFinishedLeaseParams,
  type NewLease,
  openLatestParams,
  ownWriteApplied,
  releaseLeaseParams,
  renewLeaseParams,
  scanLeasesParams,
  startAtHorizonParams,
  takeLeaseParams,
} from './lease-params.ts';
import { presenceParams, removePresenceParams, removeStalePresenceParams } from './presence-params.ts';
import {
  createMeetingParams,
  getMeetingParams,
  parseMeetingItem,
  type StreamMeeting,
} from './stream-meeting.ts';

const RETRY = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 1000 } as const;

async function conditional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await withRetry(fn, RETRY);
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return undefined;
    throw e;
  }
}

/**
 * One worker's view of the lease table for one stream: every read and conditional write the lease state
 * machine makes (the pure request builders live in `lease-params.ts`). Throttling and transient failures are
 * retried a few times; a failed condition is an answer (`undefined` / `false`), not an error.
 *
 * @example
 * ```ts
 * const store = new LeaseStore(client, 'dynotally-leases', streamArn, 'worker-1', 10_000);
 * const { leases } = await store.scan();
 * const mine = await store.take(leases[0]!);
 * ```
 */
export class LeaseStore {
  /** The worker id of {@link LeaseStore.holder}. */
  readonly workerId: string;

  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    readonly streamArn: string,
    /** Who holds the leases this store takes: a worker id, or one with its process's instance token (`LeaseHolder`). */
    readonly holder: LeaseHolder,
    readonly durationMs: number,
    private readonly now: () => number = Date.now,
    /**
     * How long one request may go unanswered before it is given up (a `TimeoutError`, retried as a dropped connection
     * is): a client passed in without request timeouts would otherwise hold a release, a checkpoint or a renewal,
     * and the stop that waits on it, for good. The stream worker gives its lease duration; default `Infinity`.
     */
    readonly callTimeoutMs: number = Number.POSITIVE_INFINITY,
    /**
     * The signal that ends the coordination's calls sent now (scans, takes, creates, the meeting, the presence), or
     * `undefined`: the stream worker gives its stop-during-the-start signal while it starts, so a `stop()` then does
     * not wait out a call in flight (review s44w). The calls of a consumer (renewals, checkpoints, releases) and the
     * presence's removal are never ended by it: a stop waits for them.
     */
    private readonly interrupt: () => AbortSignal | undefined = () => undefined,
  ) {
    this.workerId = holderId(holder);
  }

  /**
   * Sends one request within {@link LeaseStore.callTimeoutMs}; a coordination call (`interruptible`) also ends when
   * the store's `interrupt` signal aborts (an `AbortError`, not retried).
   */
  private send<T>(
    what: string,
    call: (abortSignal: AbortSignal | undefined) => Promise<T>,
    interruptible = false,
  ): Promise<T> {
    return boundedCall(this.callTimeoutMs, what, call, interruptible ? this.interrupt() : undefined);
  }

  /** One `UpdateItem` of the lease table, bounded as {@link LeaseStore.send} bounds every request. */
  private update(params: UpdateItemCommandInput, interruptible = false): Promise<UpdateItemCommandOutput> {
    return this.send(
      'UpdateItem',
      (abortSignal) => this.client.send(new UpdateItemCommand(params), { abortSignal }),
      interruptible,
    );
  }

  /** Every shard lease and worker presence of the stream. */
  async scan(): Promise<{ leases: ShardLease[]; workers: WorkerPresence[] }> {
    const leases: ShardLease[] = [];
    const workers: WorkerPresence[] = [];
    let startKey: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await withRetry(
        () =>
          this.send(
            'Scan',
            (abortSignal) =>
              this.client.send(new ScanCommand(scanLeasesParams(this.table, this.streamArn, startKey)), {
                abortSignal,
              }),
            true,
          ),
        RETRY,
      );
      for (const item of page.Items ?? []) {
        const parsed = parseLeaseItem(item);
        if (parsed?.kind === 'shard') leases.push(parsed.lease);
        else if (parsed?.kind === 'worker') workers.push(parsed.presence);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { leases, workers };
  }

  /** Creates a shard's lease; `false` when it exists already. */
  async create(lease: Omit<NewLease, 'streamArn'>): Promise<boolean> {
    const params = createLeaseParams(this.table, { ...lease, streamArn: this.streamArn }, this.now());
    return (
      (await conditional(() =>
        this.send(
          'PutItem',
          (abortSignal) => this.client.send(new PutItemCommand(params), { abortSignal }),
          true,
        ),
      )) !== undefined
    );
  }

  /**
   * Takes a free lease as seen in a scan; `undefined` when someone else moved it first. A copy of the take sent again
   * after its answer was lost (by the SDK, or by the retry of a request given up) meets the first copy's effect: the
   * lease the failed condition answers with is then this take's (`ownWriteApplied`), and returned as taken.
   */
  async take(seen: ShardLease): Promise<ShardLease | undefined> {
    const now = this.now();
    const params = takeLeaseParams(this.table, seen, this.holder, now, this.durationMs);
    let item: Record<string, AttributeValue> | undefined;
    try {
      item = (await withRetry(() => this.update(params, true), RETRY)).Attributes;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      if (!ownWriteApplied(e.Item, { take: seen.counter }, this.holder, now)) return undefined;
      item = e.Item;
    }
    const parsed = item === undefined ? undefined : parseLeaseItem(item);
    return parsed?.kind === 'shard' ? parsed.lease : undefined;
  }

  /** Renews a held lease; the new expiry (epoch ms), or `undefined` when it was taken over. */
  async renew(shardId: string): Promise<number | undefined> {
    const now = this.now();
    const params = renewLeaseParams(this.table, this.streamArn, shardId, this.holder, now, this.durationMs);
    const out = await conditional(() => this.update(params));
    return out === undefined ? undefined : now + this.durationMs;
  }

  /**
   * Records a checkpoint (a sequence number or `SHARD_END`); `false` when the lease was taken over, or, with
   * `onlyIfNone` (the `LATEST` pin), has a checkpoint meanwhile (one whose answer was lost: the pin, which lies before
   * it, must not move it back). A `SHARD_END` sent again after its answer was lost meets its own effect (the lease
   * given up): told by the lease the failed condition answers with (`ownWriteApplied`), it is `true`. A sequence number
   * sent again passes its condition anyway.
   */
  async checkpoint(shardId: string, checkpoint: string, options: CheckpointOptions = {}): Promise<boolean> {
    const now = this.now();
    const params = checkpointParams(
      this.table,
      this.streamArn,
      shardId,
      this.holder,
      checkpoint,
      now,
      options,
    );
    try {
      await withRetry(() => this.update(params), RETRY);
      return true;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      return checkpoint === SHARD_END && ownWriteApplied(e.Item, 'shard-end', this.holder, now);
    }
  }

  /** Records that this worker opens a held `LATEST` lease now (`latestFrom`); `false` when it was taken over. */
  async openLatest(shardId: string, at: number): Promise<boolean> {
    const params = openLatestParams(this.table, this.streamArn, shardId, this.holder, at);
    return (await conditional(() => this.update(params))) !== undefined;
  }

  /** Pins a held `LATEST` lease whose shard held nothing before its start to `TRIM_HORIZON`; `false` when taken over. */
  async startAtHorizon(shardId: string): Promise<boolean> {
    const params = startAtHorizonParams(this.table, this.streamArn, shardId, this.holder, this.now());
    return (await conditional(() => this.update(params))) !== undefined;
  }

  /** Gives a held lease up; `false` when it was not held any more. */
  async release(shardId: string): Promise<boolean> {
    const params = releaseLeaseParams(this.table, this.streamArn, shardId, this.holder, this.now());
    return (await conditional(() => this.update(params))) !== undefined;
  }

  /** Deletes the lease of a finished shard the stream no longer lists. */
  async deleteFinished(shardId: string): Promise<void> {
    const params = deleteFinishedLeaseParams(this.table, this.streamArn, shardId);
    await conditional(() =>
      this.send(
        'DeleteItem',
        (abortSignal) => this.client.send(new DeleteItemCommand(params), { abortSignal }),
        true,
      ),
    );
  }

  /** The stream's meeting item (how the workers first met it), or `undefined` when none is recorded. */
  async readMeeting(): Promise<StreamMeeting | undefined> {
    const params = getMeetingParams(this.table, this.streamArn);
    const out = await withRetry(
      () =>
        this.send(
          'GetItem',
          (abortSignal) => this.client.send(new GetItemCommand(params), { abortSignal }),
          true,
        ),
      RETRY,
    );
    return out.Item === undefined ? undefined : parseMeetingItem(out.Item);
  }

  /** Records the stream's meeting; `false` when another worker recorded one first. */
  async createMeeting(meeting: StreamMeeting): Promise<boolean> {
    const params = createMeetingParams(this.table, this.streamArn, meeting);
    return (
      (await conditional(() =>
        this.send(
          'PutItem',
          (abortSignal) => this.client.send(new PutItemCommand(params), { abortSignal }),
          true,
        ),
      )) !== undefined
    );
  }

  /** Announces this worker alive for another lease duration. */
  async announce(): Promise<void> {
    const params = presenceParams(this.table, this.streamArn, this.holder, this.now(), this.durationMs);
    await withRetry(
      () =>
        this.send(
          'PutItem',
          (abortSignal) => this.client.send(new PutItemCommand(params), { abortSignal }),
          true,
        ),
      RETRY,
    );
  }

  /**
   * Removes a crashed worker's presence item as the scan saw it; `false` when it changed since (the worker is back).
   */
  async removeStale(presence: WorkerPresence): Promise<boolean> {
    const params = removeStalePresenceParams(this.table, presence);
    return (
      (await conditional(() =>
        this.send(
          'DeleteItem',
          (abortSignal) => this.client.send(new DeleteItemCommand(params), { abortSignal }),
          true,
        ),
      )) !== undefined
    );
  }

  /** Removes this worker's presence (clean stop); one another process with this worker id wrote stays. */
  async withdraw(): Promise<void> {
    const params = removePresenceParams(this.table, this.streamArn, this.holder);
    await conditional(() =>
      this.send('DeleteItem', (abortSignal) =>
        this.client.send(new DeleteItemCommand(params), { abortSignal }),
      ),
    );
  }
}

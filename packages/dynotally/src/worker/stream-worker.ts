import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DynamoDBClient, type Update } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  Applier,
  type ApplyReport,
  type DeadLetterProbeInput,
  emptyReport,
  mergeReports,
} from '../apply/index.ts';
import {
  type DeadLetter,
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  type ProbeStrategy,
  pendingRowsOf,
} from '../dead-letter/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { streamHandlerIn } from '../handler/create-stream-handler.ts';
import { checkWriteSide, type StreamBatchEvent, type StreamBatchResponse } from '../handler/index.ts';
import { withTimeouts } from '../local/client-timeouts.ts';
import { jsonLogger, type Logger } from '../logging/index.ts';
import {
  compareStreamArns,
  describeStreamShards,
  listTableStreams,
  nextStreamAfter,
  orderShards,
  type PageSender,
} from '../streams/index.ts';
import { describeTable } from '../tables/index.ts';
import type { BatchOutcome, SkipCode } from './batch-processor.ts';
import { boundedCall, coordinationTimeoutMs } from './bounded-call.ts';
import {
  describeStreamPatiently,
  describeTablePatiently,
  listTableStreamsPatiently,
} from './describe-patiently.ts';
import { errorName } from './error-name.ts';
import { expireGoneStreamLeases, GONE_STREAM_SWEEP_MS } from './gone-stream-leases.ts';
import { isFinished, type ShardLease, type WorkerPresence } from './lease.ts';
import { checkpointParams } from './lease-params.ts';
import { planLeases } from './lease-plan.ts';
import { expiresAfterMs, LeaseSightings } from './lease-sightings.ts';
import { LeaseStore } from './lease-store.ts';
import { meetStream } from './meet-stream.ts';
import { type OlderStream, olderStreams } from './older-streams.ts';
import { resolveStreamArn } from './resolve-stream.ts';
import {
  type ConsumerContext,
  type ConsumerExit,
  SHARD_LISTING_MS,
  ShardConsumer,
} from './shard-consumer.ts';
import { deletableLeases, finishedAncestors } from './shard-graph.ts';
import { sleep } from './sleep.ts';
import { stalePresences } from './stale-presence.ts';
import { meetingStart } from './stream-meeting.ts';
import {
  MAX_TIMER_MS,
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  type StreamWorkerOptions,
} from './worker-options.ts';
import { workerRedelivery } from './worker-redelivery.ts';
import { ThroughputMeter, type WorkerStats } from './worker-stats.ts';

type State = WorkerStats['state'];

/** The worker's handler reads no deployment variables (DYNOTALLY_MODE, DEAD_LETTER_TABLE …): its options say it all. */
const NO_DEPLOYMENT: Readonly<Record<string, string | undefined>> = {};

/**
 * The worker's handler returns a failed batch as `batchItemFailures` (its first record), which the batch processor
 * reads as Lambda does under ReportBatchItemFailures, with the error from the handler's log (`lastError`).
 */
const REPORT_FAILURES = 'report';

/**
 * The stream worker's runtime: one coordination loop (presence, lease renewal, shard discovery, fair-share
 * takes and hand-overs) and one {@link ShardConsumer} per held shard. Use it through `createStreamWorker`.
 *
 * @example
 * ```ts
 * const worker = new StreamWorkerRuntime({ clientConfig, sourceTable: 'jobs', leaseTable: 'leases', table: 'aggregates', rollups });
 * await worker.start();
 * ```
 */
export class StreamWorkerRuntime {
  readonly workerId: string;
  /**
   * This process's token beside `workerId` in the leases it holds (`LeaseHolder`): a second process started with the
   * same `workerId` passes none of this one's lease conditions, so the two never both hold a shard.
   */
  private readonly instance = randomBytes(8).toString('hex');
  /** Another live process wrote this worker id's presence (warned once). */
  private twinSeen = false;
  /** Settles when the worker has stopped: resolves after `stop()`, rejects when `start()` failed. */
  readonly done: Promise<void>;
  private readonly o: ResolvedWorkerOptions;
  private readonly client: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly owned: Array<{ destroy(): void }> = [];
  private readonly logger: Logger;
  private readonly sink: DeadLetterSink | undefined;
  private readonly handler: (event: StreamBatchEvent) => Promise<StreamBatchResponse>;
  private readonly lastErrors = new Map<string, unknown>();
  private readonly consumers = new Map<string, { consumer: ShardConsumer; exited: Promise<ConsumerExit> }>();
  /**
   * Ends the start's patient waits (a throttled DescribeTable, DescribeStream or ListStreams retried for about a
   * minute): aborted by a `stop()` during the start, which otherwise waited for them (review s42w).
   */
  private readonly startAbort = new AbortController();
  /** Ends the coordination loop (scans, discovery, takes): first thing on `stop()`. */
  private readonly loopAbort = new AbortController();
  /** Ends the heartbeat loop (presence, renewals): on `stop()`, only once every consumer has stopped. */
  private readonly heartbeatAbort = new AbortController();
  private readonly meter = new ThroughputMeter();
  private readonly totals: ApplyReport = emptyReport();
  private state: State = 'new';
  private streamArn: string | undefined;
  private store: LeaseStore | undefined;
  private described = new Set<string>();
  private lastDiscovery = 0;
  private discoveryDue = true;
  /** Discoveries failed in a row (DescribeStream throttled, a lease create refused): the next waits longer. */
  private discoveryFailures = 0;
  /** No discovery before this time (backoff after a failed one). */
  private discoveryRetryAt = 0;
  private cycles = 0;
  /**
   * The stream was switched to because the source table got a new one (disabled and enabled again, or the table
   * created again): its shards are read from their beginning whatever `startingPosition` says, since it holds only
   * changes made after it was enabled and none of them was read.
   */
  private followed = false;
  /** The source table's newer stream already announced in the log (once). */
  private nextStreamSeen: string | undefined;
  /** The gone stream already reported in the log (once). */
  private goneStreamSeen: string | undefined;
  /**
   * Per older stream of the source table: since when DescribeStream has answered ResourceNotFoundException without
   * a success between (it is taken as gone after `streamGoneAfterMs`).
   */
  private readonly refusedSince = new Map<string, number>();
  /** The older stream the last discovery found refused within `streamGoneAfterMs`: a failed discovery, even at start. */
  private refusedOlder: string | undefined;
  /** Since when `ListStreams` has not listed the table's latest stream (it lags), while the worker waits to follow. */
  private listingLagSince: number | undefined;
  /** ListStreams was refused (AccessDenied): following goes to the table's latest stream (warned once). */
  private listStreamsDenied = false;
  /** When the next sweep for leases of gone streams is due (the first in the first running cycle). */
  private nextSweepAt = 0;
  /** Shards whose apply call timed out here (`APPLY_TIMEOUT`), and until when this worker leaves them to others. */
  private readonly hungUntil = new Map<string, number>();
  private alive = 1;
  private pendingShare = 0;
  /**
   * A consumer stopped without finishing its shard (lease lost or expired, released, failed) since the last
   * coordination cycle: `pendingShare` is stale until the next cycle completes, so the worker is not idle.
   */
  private shareStale = false;
  private readyShards = 0;
  private heldByOthers = 0;
  private leasesJudged = false;
  /** How long each lease and presence has stood still, by this worker's clock: expiry without comparing clocks. */
  private sightings = new LeaseSightings();
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private loopPromise: Promise<void> | undefined;
  private heartbeatPromise: Promise<void> | undefined;
  private settle!: { resolve: () => void; reject: (e: unknown) => void };
  private startedAt: number | undefined;
  private lastError: string | undefined;
  private readonly counters = {
    records: 0,
    batches: 0,
    deadLettered: 0,
    retries: 0,
    bisections: 0,
    failedAttempts: 0,
    leasesTaken: 0,
    leasesReleased: 0,
    leaseReleasesFailed: 0,
    leasesLost: 0,
    shardsEnded: 0,
    errors: 0,
  };

  constructor(private readonly options: StreamWorkerOptions) {
    this.o = resolveWorkerOptions(options);
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.logger = options.logger ?? jsonLogger();
    if (options.client !== undefined) this.client = options.client;
    else {
      this.client = new DynamoDBClient(withTimeouts(options.clientConfig ?? {}));
      this.owned.push(this.client);
    }
    if (options.streamsClient !== undefined) this.streams = options.streamsClient;
    else {
      this.streams = new DynamoDBStreamsClient(
        withTimeouts(options.streamsClientConfig ?? options.clientConfig ?? {}),
      );
      this.owned.push(this.streams);
    }
    const dl = options.deadLetter ?? 'log';
    this.sink =
      dl === 'log' ? undefined : 'send' in dl ? dl : new DynamoDbDeadLetterSink(this.client, dl.table);
    const forward = this.logger;
    const lastErrors = this.lastErrors;
    // The handler logs the error of a failed batch with its shard id; keep it as the dead-letter reason.
    const capture: Logger = {
      debug: (m, f) => forward.debug?.(m, f),
      info: (m, f) => forward.info(m, f),
      warn: (m, f) => forward.warn(m, f),
      error: (m, f) => {
        if (f !== undefined && typeof f.shardId === 'string' && f.error !== undefined)
          lastErrors.set(f.shardId, f.error);
        forward.error(m, f);
      },
    };
    const common = {
      client: this.client,
      deadLetter: this.sink ?? 'log',
      logger: capture,
      // the worker names finished ancestors itself, from its leases (StreamBatchEvent.finishedShards)
      lineage: false,
      onReport: (report: ApplyReport) => {
        mergeReports(this.totals, report);
      },
    } as const;
    if (options.applier !== undefined) {
      // The worker checks `table` exists; everything else of the built-in applier must not be set beside it.
      checkWriteSide(options.applier, options, 'createStreamWorker', ['table']);
      this.handler = streamHandlerIn({ ...common, applier: options.applier }, NO_DEPLOYMENT, REPORT_FAILURES);
    } else {
      this.handler = streamHandlerIn(
        {
          ...common,
          rollups: options.rollups,
          table: options.table,
          ...(options.mode === undefined ? {} : { mode: options.mode }),
          ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          ...(options.write === undefined ? {} : { write: options.write }),
          ...(options.stateBudgetBytes === undefined ? {} : { stateBudgetBytes: options.stateBudgetBytes }),
          redelivery: workerRedelivery(),
          // a worker back after a day's outage reads records past 24 h while the stream still holds them
          lateRecords: 'dead-letter',
        },
        NO_DEPLOYMENT,
        REPORT_FAILURES,
      );
    }
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  }

  start(): Promise<void> {
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    if (this.state !== 'new')
      throw new DynotallyError(
        'WORKER_ERROR',
        'this worker was stopped: create a new one with createStreamWorker',
      );
    this.state = 'starting';
    this.startedAt = Date.now();
    try {
      this.streamArn = await resolveStreamArn(
        this.client,
        this.options,
        this.tableBound,
        this.startAbort.signal,
      );
      await this.checkTables();
      if (this.following()) await this.resumeOlderStream();
      this.store = new LeaseStore(
        this.client,
        this.options.leaseTable,
        this.streamArn,
        this.holder(),
        this.o.leaseDurationMs,
        Date.now,
        // a lease call unanswered for a lease duration (a passed client without timeouts) is given up: the lease it is
        // about has run out by then, and a stop that waits on it (a release, a checkpoint) would never return
        this.o.leaseDurationMs,
        this.duringStart,
      );
      // renewals from the first take on: the first cycle takes its leases one after another and starts each shard at
      // once, and on a stream with many shards the takes outlast the first leases taken (review s38w)
      this.heartbeatPromise = this.every(
        'heartbeat',
        () => this.heartbeat(),
        this.heartbeatAbort.signal,
        () => this.state === 'starting' || this.state === 'running' || this.state === 'stopping',
      );
      await this.cycle();
      if ((this.state as State) !== 'starting') return; // stopped while starting
      this.state = 'running';
      this.logger.info('stream worker started', {
        workerId: this.workerId,
        streamArn: this.streamArn,
        leasesHeld: this.consumers.size,
        workers: this.alive,
      });
      this.loopPromise = this.every(
        'coordination cycle',
        () => this.coordinate(),
        this.loopAbort.signal,
        () => this.state === 'running',
      );
    } catch (e) {
      // 'stopping' while the consumers stop, as in stop(): the heartbeat renews the leases of the batches in flight
      // until they are checkpointed and released (review s38x), and only then ends
      this.state = 'stopping';
      await this.stopConsumersRenewing();
      this.state = 'stopped';
      // a worker that failed to start must not look alive: the others would leave it its fair share of the shards
      // until its presence expired
      await this.store?.withdraw().catch(() => {});
      this.destroyClients();
      // stopped during the start: `done` tells a stop, `start()` that the worker did not start
      if (!this.startAbort.signal.aborted) {
        this.settle.reject(e);
        throw e;
      }
      this.settle.resolve();
      // a call the stop aborted (a lease-table call: an AbortError) fails the start as a patient wait the stop ended does
      if (isDynotallyError(e)) throw e;
      throw new DynotallyError('WORKER_ERROR', 'the worker was stopped during its start', {
        details: { stopped: true },
        cause: e,
      });
    }
  }

  /**
   * Each `DescribeStream` request of the worker (at start too), bounded as a read is (`readTimeoutMs`): a request, not the
   * listing, whose pages grow with the stream's shards and the fleet's throttling (a listing bounded as a whole would
   * fail for good on a large stream, and no new shard would get a lease).
   */
  private readonly describeBound: PageSender = (call) =>
    boundedCall(coordinationTimeoutMs(this.o.readTimeoutMs), 'DescribeStream', call, this.duringStart());

  /** Each `DescribeTable` of the worker, at start too, bounded as a read is (a start given up is retried, patiently). */
  private readonly tableBound: PageSender = (call) =>
    boundedCall(coordinationTimeoutMs(this.o.readTimeoutMs), 'DescribeTable', call, this.duringStart());

  /** Each `ListStreams` page of the worker, at start too, bounded as a read is. */
  private readonly listBound: PageSender = (call) =>
    boundedCall(coordinationTimeoutMs(this.o.readTimeoutMs), 'ListStreams', call, this.duringStart());

  /**
   * The signal that ends a coordination request sent now, while the worker starts (`startAbort`), or `undefined`: a
   * `stop()` during the start then aborts the DescribeTable, DescribeStream, ListStreams or lease-table call in flight
   * (an `AbortError`: the start fails as stopped) instead of waiting out its bound, `readTimeoutMs` or
   * `leaseDurationMs`, 30 s by default (review s44w). Once running, a stop lets the calls in flight end by themselves.
   */
  private readonly duringStart = (): AbortSignal | undefined =>
    this.state === 'starting' ? this.startAbort.signal : undefined;

  /** Who holds this worker's leases: its id and this process's instance token. */
  private holder(): { workerId: string; instance: string } {
    return { workerId: this.workerId, instance: this.instance };
  }

  /**
   * Warns once when the scan finds this worker id's presence written by another live process: two workers run with
   * one `workerId`. Their leases are fenced apart (`instance`), but they share one presence, so the others count them
   * as one worker and the shards are not shared fairly.
   */
  private checkTwin(workers: readonly WorkerPresence[], now: number): void {
    if (this.twinSeen) return;
    const twin = workers.find(
      (w) =>
        w.workerId === this.workerId &&
        w.instance !== undefined &&
        w.instance !== this.instance &&
        w.expiresAt > now,
    );
    if (twin === undefined) return;
    this.twinSeen = true;
    this.logger.warn(
      'another process runs with this workerId on this lease table: give every worker its own workerId (--worker-id); their leases are kept apart, but the shards are not shared fairly',
      { workerId: this.workerId, leaseTable: this.options.leaseTable },
    );
  }

  private async checkTables(): Promise<void> {
    const tables: Array<{ name: string; what: string; create: string }> = [
      { name: this.options.leaseTable, what: 'lease table', create: 'createLeaseTable' },
      { name: this.options.table, what: 'aggregate table', create: 'createAggregateTable' },
    ];
    const dl = this.options.deadLetter;
    if (dl !== undefined && dl !== 'log' && !('send' in dl))
      tables.push({ name: dl.table, what: 'dead-letter table', create: 'createDeadLetterTable' });
    await Promise.all(
      tables.map(async ({ name, what, create }) => {
        if (
          (await describeTablePatiently(this.client, name, this.tableBound, this.startAbort.signal)) !==
          undefined
        )
          return;
        throw new DynotallyError(
          'TABLE_NOT_FOUND',
          `the ${what} '${name}' does not exist: create it first (${create}, ensureTables or \`dynotally tables create\`), or check the name, region and endpoint`,
          {
            details: { table: name },
          },
        );
      }),
    );
  }

  /**
   * Two loops, both every `heartbeatMs`: heartbeats (presence and lease renewals, a few small writes) and
   * coordination (scan, discovery, takes, hand-overs), so a slow scan never delays a renewal. `go` says whether the
   * loop goes on; an aborted `signal` ends it. The heartbeat goes on while the worker stops, until its consumers have:
   * a batch in flight then still holds its lease, and is applied and checkpointed, not abandoned as the lease ran out.
   */
  private async every(
    what: string,
    fn: () => Promise<void>,
    signal: AbortSignal,
    go: () => boolean,
  ): Promise<void> {
    while (go() && !signal.aborted) {
      await sleep(this.o.heartbeatMs, signal);
      if (!go() || signal.aborted) break;
      try {
        await fn();
      } catch (e) {
        this.counters.errors += 1;
        this.logger.warn(`${what} failed; retrying at the next heartbeat`, {
          workerId: this.workerId,
          error: e,
        });
      }
    }
  }

  /**
   * Presence and renewals, side by side: a presence write that keeps failing (throttled) must not hold back the
   * renewals, or every lease would run out and its shard stop although this worker is alive. A failed presence
   * write is thrown after the renewals (each renewal's own failure is logged by it).
   */
  private async heartbeat(): Promise<void> {
    const [announced] = await Promise.allSettled([this.store!.announce(), this.renewAll()]);
    if (announced.status === 'rejected') throw announced.reason;
  }

  /** One coordination cycle: presence, renewals, discovery, then take and hand over leases. */
  private async cycle(): Promise<void> {
    await this.heartbeat();
    await this.coordinate();
  }

  private async coordinate(): Promise<void> {
    const store = this.store!;
    let view = await store.scan();
    const at = Date.now();
    const due = this.discoveryDue || at - this.lastDiscovery >= this.o.discoveryIntervalMs;
    if (due && at >= this.discoveryRetryAt) {
      if (this.state === 'starting') {
        try {
          await this.discover(view.leases, true);
        } catch (e) {
          // an older stream refused, not yet taken as gone: the start goes on, and discovery is retried
          if (this.refusedOlder !== this.streamArn) throw e;
          this.discoveryFailed(e);
        }
      } else {
        try {
          await this.discover(view.leases, false);
        } catch (e) {
          this.discoveryFailed(e);
        }
      }
      view = await store.scan();
    }
    this.checkTwin(view.workers, Date.now());
    // expiry judged on this worker's own clock (how long each lease's counter has stood still), never the holder's
    // `expiresAt` against this clock: a skewed clock would take live leases mid-batch, or lose its own (review s42w)
    const still = this.sightings.observe(view);
    const plan = planLeases({
      now: Date.now(),
      workerId: this.workerId,
      leases: view.leases,
      workers: view.workers,
      held: new Set(this.consumers.keys()),
      described: this.described,
      strandedAfterMs: this.o.leaseDurationMs,
      still,
      leaseDurationMs: this.o.leaseDurationMs,
    });
    this.alive = plan.alive.length;
    for (const shardId of plan.release) {
      const c = this.consumers.get(shardId);
      if (c !== undefined && !c.consumer.stopping) {
        this.logger.info('handing a shard over to its fair-share owner', {
          workerId: this.workerId,
          shardId,
        });
        c.consumer.requestStop('release');
      }
    }
    const leasesById = new Map(view.leases.map((l) => [l.shardId, l]));
    for (const seen of plan.take) {
      if (this.state !== 'running' && this.state !== 'starting') break;
      if (this.leftAfterHang(seen.shardId)) continue;
      const lease = await store.take(seen);
      if (lease !== undefined) this.startConsumer(lease, finishedAncestors(lease, leasesById));
    }
    await this.removeStalePresences(view.workers);
    await this.sweepGoneStreams();
    this.shareStale = false;
    this.pendingShare = plan.assigned.filter((s) => !this.consumers.has(s)).length;
    this.readyShards = plan.ready.length;
    this.leasesJudged = (still.watchedMs ?? 0) >= this.o.leaseDurationMs;
    const ready = new Set(plan.ready);
    // a lease of this worker id that another process holds (`ownerInstance`) is another's too; held while its counter
    // moved within a lease duration of this worker's clock
    this.heldByOthers = view.leases.filter(
      (l) =>
        ready.has(l.shardId) &&
        l.owner !== undefined &&
        (l.owner !== this.workerId || (l.ownerInstance !== undefined && l.ownerInstance !== this.instance)) &&
        (still.leases.get(l.shardId) ?? 0) < expiresAfterMs(l, this.o.leaseDurationMs),
    ).length;
    this.cycles += 1;
    this.emitProgress();
  }

  /** Whether this worker still leaves the shard to others after its apply call timed out here. */
  private leftAfterHang(shardId: string): boolean {
    const until = this.hungUntil.get(shardId);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.hungUntil.delete(shardId);
    return false;
  }

  /**
   * Deletes the presence items of workers gone for over an hour (crashed: a clean stop deletes its own), so the lease
   * scans do not read them for good. A failure is logged; the cycle goes on, and the next one tries again.
   */
  private async removeStalePresences(workers: readonly WorkerPresence[]): Promise<void> {
    for (const presence of stalePresences(workers, this.workerId, Date.now())) {
      try {
        if (await this.store!.removeStale(presence))
          this.logger.info('removed the presence item of a worker gone for over an hour', {
            workerId: this.workerId,
            gone: presence.workerId,
            expiredAt: new Date(presence.expiresAt).toISOString(),
          });
      } catch (e) {
        this.logger.warn('could not remove the presence item of a worker gone for over an hour', {
          workerId: this.workerId,
          gone: presence.workerId,
          error: e,
        });
        return;
      }
    }
  }

  /**
   * Once an hour while running (the first time in the first running cycle): gives the leases of streams DynamoDB
   * Streams no longer has a time to live, as finished leases have (`expireGoneStreamLeases`), so a stream nobody reads
   * any more does not leave its unfinished leases for good. A failure is logged and tried again at the next sweep.
   */
  private async sweepGoneStreams(): Promise<void> {
    const now = Date.now();
    if (this.state !== 'running' || now < this.nextSweepAt) return;
    this.nextSweepAt = now + GONE_STREAM_SWEEP_MS;
    try {
      const stamped = await expireGoneStreamLeases({
        client: this.client,
        streams: this.streams,
        leaseTable: this.options.leaseTable,
        current: this.streamArn as string,
        now,
        // bounded as the lease store's requests and the running worker's DescribeStream: the stop waits on this cycle
        leaseRequest: (call) => boundedCall(this.o.leaseDurationMs, 'lease-table request', call),
        streamRequest: this.describeBound,
      });
      for (const [streamArn, leases] of stamped)
        if (leases > 0)
          this.logger.info('leases of a stream DynamoDB Streams no longer has set to expire in 7 days', {
            workerId: this.workerId,
            streamArn,
            leases,
          });
    } catch (e) {
      this.logger.warn(
        'could not sweep the lease table for leases of gone streams; trying again in an hour',
        {
          workerId: this.workerId,
          error: e,
        },
      );
    }
  }

  /**
   * A discovery failed while running: the cycle goes on with the leases scanned (discovery only adds leases and
   * deletes finished ones, so taking an expired lease or handing one over needs none), and the next discovery
   * waits, doubling from a heartbeat up to the discovery interval, so a throttled DescribeStream is not asked again
   * every heartbeat by every worker.
   */
  private discoveryFailed(e: unknown): void {
    this.counters.errors += 1;
    this.discoveryDue = true;
    this.discoveryFailures += 1;
    const wait = Math.min(
      this.o.discoveryIntervalMs,
      this.o.heartbeatMs * 2 ** Math.min(this.discoveryFailures - 1, 20),
    );
    this.discoveryRetryAt = Date.now() + wait;
    this.logger.warn('stream discovery failed; leases are taken and handed over meanwhile', {
      workerId: this.workerId,
      retryInMs: wait,
      failures: this.discoveryFailures,
      error: e,
    });
  }

  private async renewAll(): Promise<void> {
    const store = this.store!;
    await Promise.all(
      [...this.consumers.values()].map(async ({ consumer }) => {
        try {
          const expiresAt = await store.renew(consumer.shardId);
          if (expiresAt !== undefined) consumer.expiresAt = expiresAt;
          else if (consumer.finishing)
            // its SHARD_END checkpoint gave the lease up: the shard is finished here, not taken over
            this.logger.debug?.('lease of a shard read to its end not renewed (its SHARD_END gave it up)', {
              workerId: this.workerId,
              shardId: consumer.shardId,
            });
          else if (!consumer.stopping) {
            this.logger.warn('lease taken over by another worker; stopping this shard', {
              workerId: this.workerId,
              shardId: consumer.shardId,
            });
            consumer.markLost();
          }
        } catch (e) {
          this.counters.errors += 1;
          this.logger.warn('lease renewal failed; the shard stops if the lease runs out', {
            shardId: consumer.shardId,
            error: e,
          });
        }
      }),
    );
  }

  /**
   * Lists the stream's shards and creates a lease for every new one (parents first); `patient` at start (throttling
   * retried for about a minute).
   */
  private async discover(leases: readonly ShardLease[], patient: boolean): Promise<void> {
    const store = this.store!;
    const listed = await this.currentShards(patient);
    if (listed === undefined) {
      // the stream is gone: nothing of it can be read, created or deleted any more; only the next stream is left
      this.lastDiscovery = Date.now();
      this.discoveryDue = false;
      this.discoveryFailures = 0;
      await this.followSourceTable(leases, [], patient);
      return;
    }
    const shards = orderShards(listed);
    this.described = new Set(shards.map((s) => s.ShardId ?? ''));
    this.lastDiscovery = Date.now();
    this.discoveryDue = false;
    const existing = new Map(leases.map((l) => [l.shardId, l]));
    const first = leases.length === 0;
    const ids = shards.flatMap((s) => (s.ShardId === undefined ? [] : [s.ShardId]));
    // LATEST only applies to the shards listed when the stream was first met, whoever creates their leases (the
    // meeting item); children that appear later are read from their beginning, or records would fall between
    // parent and child.
    const meeting = ids.some((id) => !existing.has(id))
      ? await meetStream(store, ids, first, this.followed ? 'TRIM_HORIZON' : this.o.startingPosition)
      : undefined;
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (shardId === undefined || existing.has(shardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      await store.create({
        shardId,
        parentShardId: shard.ParentShardId,
        ...meetingStart(meeting, shardId, closed, first),
      });
    }
    for (const shardId of deletableLeases(leases, shards)) await store.deleteFinished(shardId);
    this.discoveryFailures = 0;
    if (this.following()) await this.followSourceTable(leases, shards, patient);
  }

  /**
   * The current stream's shards (`DescribeStream`; at start patient with throttling), or undefined when a worker
   * following its source table finds the stream gone (its 24 hours over, or its table deleted): then whatever of it
   * was not read is lost, which is logged once, and the discovery goes on to the table's next stream. Given
   * `streamArn`, a gone stream is thrown.
   */
  private async currentShards(patient: boolean): Promise<Shard[] | undefined> {
    const arn = this.streamArn as string;
    this.refusedOlder = undefined;
    try {
      // bounded per request as a read is, at start too (the stop waits for the start and the cycle in flight)
      const shards = patient
        ? await describeStreamPatiently(this.streams, arn, this.describeBound, this.startAbort.signal)
        : await describeStreamShards(this.streams, arn, this.describeBound);
      this.refusedSince.delete(arn);
      return shards;
    } catch (e) {
      if (errorName(e) !== 'ResourceNotFoundException' || !this.following()) throw e;
      // the table's latest stream is never gone (DescribeTable names it): a client that cannot see it is pointed at
      // the wrong region, account or endpoint, and its shards must not be taken for trimmed
      if ((await this.latestStream(patient)) === arn) throw e;
      const now = Date.now();
      const since = this.refusedSince.get(arn) ?? now;
      this.refusedSince.set(arn, since);
      if (now - since < this.o.streamGoneAfterMs) {
        // one refusal (an endpoint's eventual consistency) is a failed discovery, retried, even at start
        this.refusedOlder = arn;
        throw e;
      }
      if (this.goneStreamSeen !== this.streamArn)
        this.logger.error(
          "the stream is gone (DynamoDB Streams no longer has it): what of it was not read is lost; going on to the source table's next stream",
          { workerId: this.workerId, streamArn: this.streamArn, error: e },
        );
      this.goneStreamSeen = this.streamArn;
      return undefined;
    }
  }

  /** The source table's latest stream (`DescribeTable`; at start patient with throttling, as the rest of the start). */
  private async latestStream(patient: boolean): Promise<string | undefined> {
    const table = this.options.sourceTable as string;
    // bounded as a read is, at start too (the stop waits for the start and the cycle in flight)
    const description = patient
      ? await describeTablePatiently(this.client, table, this.tableBound, this.startAbort.signal)
      : await this.tableBound((abortSignal) => describeTable(this.client, table, abortSignal));
    return description?.LatestStreamArn;
  }

  /** Whether the worker follows its source table from stream to stream (`sourceTable` given, not `streamArn`). */
  private following(): boolean {
    return this.options.sourceTable !== undefined && !this.options.streamArn;
  }

  /**
   * With `sourceTable`, looks at the table's latest stream once per discovery: a table whose stream was disabled
   * and enabled again (to change its view type), or that was created again, has a new stream, which no worker
   * would otherwise ever read. The old stream is read to its end first (every listed shard closed and its lease
   * finished: its records stay readable for 24 hours); then the worker switches to the new one and reads it from
   * the beginning.
   */
  private async followSourceTable(
    leases: readonly ShardLease[],
    shards: readonly {
      ShardId?: string | undefined;
      SequenceNumberRange?: { EndingSequenceNumber?: string };
    }[],
    patient: boolean,
  ): Promise<void> {
    const table = this.options.sourceTable as string;
    const latest = await this.latestStream(patient);
    if (latest === undefined || latest === this.streamArn) return;
    const byId = new Map(leases.map((l) => [l.shardId, l]));
    const read =
      this.consumers.size === 0 &&
      leases.every(isFinished) &&
      shards.every((s) => {
        const lease = byId.get(s.ShardId ?? '');
        return lease !== undefined && isFinished(lease);
      });
    if (!read) {
      // the streams are listed only once this one is read (ListStreams allows a few requests a second per account)
      if (this.nextStreamSeen !== latest)
        this.logger.warn('the source table has a new stream; reading the old one to its end first', {
          workerId: this.workerId,
          table,
          from: this.streamArn,
          latest,
        });
      this.nextStreamSeen = latest;
      return;
    }
    const { next } = await this.nextTableStream(this.streamArn as string, latest, patient);
    if (next !== undefined) await this.switchStream(next);
  }

  /**
   * The stream to read after `after` once the table's latest stream is another: the oldest of the table's streams
   * created after it (`ListStreams`), not the latest, so a stream between them (the stream re-enabled twice while the
   * old one was still being read) is read too. A role without `dynamodb:ListStreams` goes on to the latest, with a
   * warning that a stream between would be skipped. A listing without the latest (`DescribeTable` names it) lags
   * behind the table, and may lack a stream between too (created before the latest, as unlisted): then there is no
   * next stream yet (`lagging`), and the listing is asked again at the next discovery, for up to `streamGoneAfterMs`;
   * after that the worker goes on with what it lists (and the latest), with an error: a stream between may be skipped.
   */
  private async nextTableStream(
    after: string,
    latest: string,
    patient: boolean,
  ): Promise<{ next: string | undefined; lagging: boolean }> {
    const table = this.options.sourceTable as string;
    try {
      const listed = patient
        ? await listTableStreamsPatiently(this.streams, table, this.listBound, this.startAbort.signal)
        : await listTableStreams(this.streams, table, this.listBound);
      if (listed.includes(latest) || compareStreamArns(latest, after) <= 0) this.listingLagSince = undefined;
      else {
        const now = Date.now();
        const first = this.listingLagSince === undefined;
        this.listingLagSince ??= now;
        if (now - this.listingLagSince < this.o.streamGoneAfterMs) {
          if (first)
            this.logger.warn(
              "ListStreams does not list the table's latest stream yet (eventual consistency): waiting for it before following the table, so that a stream between is not skipped",
              { workerId: this.workerId, table, after, latest, waitsUpToMs: this.o.streamGoneAfterMs },
            );
          return { next: undefined, lagging: true };
        }
        this.logger.error(
          "ListStreams has not listed the table's latest stream for streamGoneAfterMs: following the table with what it lists; a stream between that it does not list either is skipped",
          {
            workerId: this.workerId,
            table,
            after,
            latest,
            since: new Date(this.listingLagSince).toISOString(),
          },
        );
        this.listingLagSince = undefined;
      }
      // the latest is the table's own word: a listing that lags behind it still ends there
      // (a stream listed but gone since is switched to all the same: its first discovery finds it gone, and goes on)
      return { next: nextStreamAfter([...listed, latest], after), lagging: false };
    } catch (e) {
      if (errorName(e) !== 'AccessDeniedException') throw e;
      if (!this.listStreamsDenied)
        this.logger.warn(
          "ListStreams is denied: following the source table to its latest stream; a stream between the old one and it would be skipped (grant dynamodb:ListStreams to the worker's role)",
          { workerId: this.workerId, table, error: e },
        );
      this.listStreamsDenied = true;
      return { next: nextStreamAfter([latest], after), lagging: false };
    }
  }

  /**
   * With `sourceTable`, at start: a table whose lease table holds leases of an older stream of it (disabled and
   * enabled again, or the table created again) was read before, so its newer streams are continuations, met from
   * their beginning whatever `startingPosition` says; and the oldest older stream not read to its end (and still
   * there) is read first, then followed to the latest, as a running worker does. A worker restarted by the deploy that
   * re-enabled the stream would otherwise start on the new one and leave the old one's last changes unread.
   */
  private async resumeOlderStream(): Promise<void> {
    const latest = this.streamArn as string;
    const older = await olderStreams(this.client, this.options.leaseTable, latest, (call) =>
      boundedCall(this.o.leaseDurationMs, 'Scan', call, this.duringStart()),
    );
    if (older.length === 0) return;
    this.followed = true;
    for (const s of older) {
      if (!s.unfinished || !(await this.streamExists(s.streamArn))) continue;
      this.streamArn = s.streamArn;
      this.logger.info(
        'resuming an older stream of the source table, not read to its end, before its latest',
        {
          workerId: this.workerId,
          table: this.options.sourceTable,
          streamArn: s.streamArn,
          latest,
        },
      );
      return;
    }
    // every stream workers leased was read to its end (or is gone): go on after the newest of them, which is not
    // the latest when a stream between them was never leased (the stream re-enabled twice while no worker ran)
    const newest = (older.at(-1) as OlderStream).streamArn;
    const { next, lagging } = await this.nextTableStream(newest, latest, true);
    if (lagging) {
      // the listing lags behind the table: start on the newest stream read, which the worker follows from (once the
      // listing has caught up) as it does running, rather than on the latest, which may pass a stream between over
      this.streamArn = newest;
      return;
    }
    if (next === undefined || next === latest) return;
    this.streamArn = next;
    this.logger.info('starting on a stream of the source table that no worker read yet, before its latest', {
      workerId: this.workerId,
      table: this.options.sourceTable,
      streamArn: next,
      latest,
    });
  }

  /** False when DynamoDB Streams no longer has the stream (deleted with its table, or trimmed). */
  private async streamExists(streamArn: string): Promise<boolean> {
    try {
      await describeStreamPatiently(this.streams, streamArn, this.describeBound, this.startAbort.signal);
      return true;
    } catch (e) {
      if (errorName(e) === 'ResourceNotFoundException') return false;
      throw e;
    }
  }

  /** Moves the worker to another stream of its source table (the old one read to its end, no shard held). */
  private async switchStream(to: string): Promise<void> {
    const from = this.streamArn;
    try {
      await this.store?.withdraw();
    } catch (e) {
      this.logger.warn('could not remove the worker presence item; it expires on its own', { error: e });
    }
    this.streamArn = to;
    this.store = new LeaseStore(
      this.client,
      this.options.leaseTable,
      to,
      this.holder(),
      this.o.leaseDurationMs,
      Date.now,
      this.o.leaseDurationMs,
      this.duringStart,
    );
    this.ctxCache = undefined;
    this.sightings = new LeaseSightings();
    this.leasesJudged = false;
    this.described = new Set();
    this.followed = true;
    this.discoveryDue = true;
    await this.store.announce();
    this.logger.info('the old stream is read to its end; following the source table to its new stream', {
      workerId: this.workerId,
      table: this.options.sourceTable,
      from,
      to,
    });
  }

  private startConsumer(lease: ShardLease, finishedShards: readonly string[]): void {
    this.counters.leasesTaken += 1;
    const consumer = new ShardConsumer(this.context(), lease, lease.expiresAt, {
      shards: finishedShards,
      from: Date.now() + this.o.pruneAncestorsAfterMs,
    });
    this.logger.info('shard lease taken', {
      workerId: this.workerId,
      shardId: lease.shardId,
      checkpoint: lease.checkpoint ?? lease.startAt,
    });
    const exited = consumer.run().then((exit) => {
      this.consumers.delete(lease.shardId);
      this.lastErrors.delete(lease.shardId);
      if (exit !== 'ended') this.shareStale = true;
      if (exit === 'ended') {
        this.counters.shardsEnded += 1;
        this.discoveryDue = true; // its children may be listed now
        this.logger.info('shard read to its end', { workerId: this.workerId, shardId: lease.shardId });
      } else if (exit === 'hung') {
        // its apply call may still be running: leave the shard to another worker for two lease durations (others
        // take a lease left free for one); a lone worker then takes it back and redelivers the batch itself
        this.counters.leasesReleased += 1;
        this.lastError = `${lease.shardId}: APPLY_TIMEOUT (no answer within ${this.o.applyTimeoutMs} ms)`;
        this.hungUntil.set(lease.shardId, Date.now() + 2 * this.o.leaseDurationMs);
      } else if (exit === 'released' || exit === 'stopped' || exit === 'failed')
        this.counters.leasesReleased += 1;
      else this.counters.leasesLost += 1;
      this.emitProgress();
      return exit;
    });
    this.consumers.set(lease.shardId, { consumer, exited });
  }

  private ctxCache: ConsumerContext | undefined;

  private context(): ConsumerContext {
    this.ctxCache ??= {
      streams: this.streams,
      streamArn: this.streamArn!,
      leases: this.store!,
      handler: this.handler,
      lastError: (shardId) => this.lastErrors.get(shardId),
      deadLetter: (shardId, records, code, reason, through, held) =>
        this.deadLetter(shardId, records, code, reason, through, held),
      onFailure: (shardId, f) => {
        this.counters.failedAttempts += 1;
        this.lastError = `${shardId}: ${f.error}`;
        // once per wait (each attempt is logged by the handler as a failed batch): say why the shard stands still
        if (f.waiting === 'redis' && f.attempt === 1)
          this.logger.warn(
            'waiting for Redis: the shard holds its batch and retries it until the Redis buffer answers (never dead-lettered)',
            { shardId, records: f.records, error: f.error },
          );
        if (f.waiting === 'dynamodb' && f.attempt === 1)
          this.logger.warn(
            "waiting for DynamoDB: the Redis buffer took the shard's batch, but its min / max / last writes (or its letters) failed; the shard holds the batch and retries them until they go through (never dead-lettered)",
            { shardId, records: f.records, error: f.error },
          );
        this.emitProgress();
      },
      logger: this.logger,
      batchSize: this.o.batchSize,
      batchWindowMs: this.o.batchWindowMs,
      pollIntervalMs: this.o.pollIntervalMs,
      policy: {
        maxRetries: this.o.maxRetries,
        bisectOnError: this.o.bisectOnError,
        maxRecordAgeMs: this.o.maxRecordAgeMs,
        retryBaseMs: this.o.retryBaseMs,
        retryMaxMs: this.o.retryMaxMs,
      },
      onBatch: (_consumer, _records, outcome) => this.onBatch(outcome),
      onError: () => {
        this.counters.errors += 1;
      },
      onReleaseFailed: () => {
        this.counters.leaseReleasesFailed += 1;
      },
      shardListed: (shardId, since) => this.shardListed(shardId, since),
      shardGoneAfterMs: this.o.streamGoneAfterMs,
      applyTimeoutMs: this.o.applyTimeoutMs,
      readTimeoutMs: this.o.readTimeoutMs,
    };
    return this.ctxCache;
  }

  /** The current stream's shard ids, described at most once per 5 s for all consumers (`shardListed`). */
  private listing:
    | { readonly arn: string; readonly at: number; readonly ids: Promise<Set<string>> }
    | undefined;

  /**
   * Whether the current stream's `DescribeStream` lists the shard: asked by a consumer refused with
   * `ResourceNotFoundException`, so many refused at once (a deleted table, shards trimmed in an outage) share one
   * listing. A listing that failed is kept as long as one that did not (it rejects: the consumers wait), or every
   * refused consumer would describe again each second. A listing taken before `since` (the consumer's start, after a
   * listing had the shard) may predate the shard (a child created since): it tells "listed", never "gone".
   */
  private async shardListed(shardId: string, since: number): Promise<boolean> {
    const arn = this.streamArn as string;
    const cached = this.listing;
    if (cached !== undefined && cached.arn === arn && Date.now() - cached.at < SHARD_LISTING_MS) {
      const ids = await cached.ids;
      if (ids.has(shardId) || cached.at >= since) return ids.has(shardId);
    }
    // bounded as a read is: a consumer's exit (its stop) waits on it
    const ids = describeStreamShards(this.streams, arn, this.describeBound).then(
      (shards) => new Set(shards.map((x) => x.ShardId as string)),
    );
    ids.catch(() => {}); // rejected to the consumers that await it; kept as long as a listing that did not fail
    this.listing = { arn, at: Date.now(), ids };
    return (await ids).has(shardId);
  }

  /** How the write side keeps exactly-once, which decides what a skipped record may have left in the table. */
  private async probe(
    input: DeadLetterProbeInput,
  ): Promise<{ strategy: ProbeStrategy; rollups: readonly CompiledRollup[] }> {
    const a = this.options.applier;
    if (a?.deadLetterProbe !== undefined) return a.deadLetterProbe(input);
    const o = a instanceof Applier ? a.options : a === undefined ? this.options : undefined;
    const strategy: ProbeStrategy =
      o === undefined || o.mode === 'at-least-once'
        ? 'all-or-nothing'
        : o.strategy === 'transaction'
          ? 'transaction'
          : 'row-watermark';
    const rollups = a?.rollups ?? this.options.rollups.map((r) => ('compiled' in r ? r.compiled : r));
    return { strategy, rollups };
  }

  /**
   * Dead-letters records the worker skips. Each letter names the rows that do not hold its record yet
   * (probed now: nothing after the record has been applied to the shard), so a replay counts it exactly
   * once; with a dead-letter table, the checkpoint past the records commits in the same transaction. Nothing is
   * sent once `held` says the shard's lease is given up (the call timed out, `APPLY_TIMEOUT`, or the lease was lost):
   * the records are redelivered to the next owner, and a letter stored beside that would be replayed on top of it.
   */
  private async deadLetter(
    shardId: string,
    records: readonly DynamoDBRecord[],
    code: SkipCode,
    reason: string,
    through?: string,
    held?: () => boolean,
  ): Promise<void> {
    const at = Date.now();
    const probe = this.sink === undefined ? undefined : await this.probe({ records, shardId, at });
    const letters: DeadLetter[] = [];
    for (const record of records) {
      const pendingRows =
        probe === undefined
          ? undefined
          : await pendingRowsOf({
              client: this.client,
              table: this.options.table,
              rollups: probe.rollups,
              strategy: probe.strategy,
              source: this.streamArn!,
              shardId,
              record,
              now: at,
            });
      letters.push({
        source: this.streamArn!,
        shardId,
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        eventId: record.eventID,
        code,
        reason,
        record,
        at,
        ...(pendingRows === undefined ? {} : { pendingRows }),
      });
    }
    if (held !== undefined && !held())
      throw new DynotallyError(
        'LEASE_LOST',
        `the lease of shard ${shardId} is given up (lost, or a call of this batch timed out): its ${letters.length} letters are not stored; the records are redelivered to the next owner`,
        { details: { shardId, records: letters.length } },
      );
    if (this.sink !== undefined) {
      // the checkpoint moves with the letters, through the last record of each transaction of them (`through`
      // with the last), so a letter is never stored without it: a crash in between would leave a letter whose
      // record the next owner applies (counted twice by a replay)
      const checkpoint = (sequence: string) => ({
        Update: checkpointParams(
          this.options.leaseTable,
          this.streamArn!,
          shardId,
          this.holder(),
          sequence,
          Date.now(),
        ) as Update,
      });
      const alongside =
        through !== undefined && this.sink instanceof DynamoDbDeadLetterSink
          ? (last: DeadLetter, final: boolean) => checkpoint(final ? through : last.sequenceNumber)
          : undefined;
      await this.sink.send(letters, alongside === undefined ? {} : { alongside });
      this.logger.warn('records skipped to the dead-letter sink', { shardId, code, count: letters.length });
      return;
    }
    for (const l of letters)
      this.logger.error('dead letter: record skipped', {
        code: l.code,
        reason: l.reason,
        shardId,
        sequenceNumber: l.sequenceNumber,
        record: l.record,
      });
  }

  private onBatch(outcome: BatchOutcome): void {
    const handled = outcome.processed + outcome.deadLettered;
    this.counters.records += handled;
    if (handled > 0) this.counters.batches += 1;
    this.counters.deadLettered += outcome.deadLettered;
    this.counters.retries += outcome.retries;
    this.counters.bisections += outcome.bisections;
    this.meter.add(handled);
    this.emitProgress();
  }

  private emitProgress(): void {
    if (this.options.onProgress === undefined) return;
    try {
      this.options.onProgress(this.stats());
    } catch (e) {
      this.logger.warn('onProgress threw; ignored', { error: e });
    }
  }

  stats(): WorkerStats {
    const now = Date.now();
    const shards = [...this.consumers.values()].map(({ consumer }) => consumer.progress(now));
    const max = (values: Array<number | undefined>) => {
      const defined = values.filter((v): v is number => v !== undefined);
      return defined.length === 0 ? undefined : Math.max(...defined);
    };
    return {
      workerId: this.workerId,
      streamArn: this.streamArn,
      state: this.state,
      idle:
        this.state === 'running' &&
        this.cycles > 0 &&
        !this.discoveryDue &&
        this.listingLagSince === undefined &&
        !this.shareStale &&
        this.pendingShare === 0 &&
        shards.every((s) => s.caughtUp && s.state !== 'stopping'),
      leasesHeld: this.consumers.size,
      workers: this.alive,
      readyShards: this.readyShards,
      heldByOthers: this.heldByOthers,
      leasesJudged: this.leasesJudged,
      shards,
      ...this.counters,
      failingShards: shards.filter((s) => s.failing !== undefined).length,
      lastError: this.lastError,
      recordsPerSecond: this.meter.rate(),
      iteratorAgeMs: max(shards.map((s) => s.iteratorAgeMs)),
      millisBehindLatest: max(shards.map((s) => s.millisBehindLatest)),
      apply: { ...this.totals },
      startedAt: this.startedAt,
    };
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      this.destroyClients();
      this.settle.resolve();
      return;
    }
    // a start still waiting out throttled requests gives up (it fails as stopped), rather than holding the stop
    this.startAbort.abort();
    await this.startPromise?.catch(() => {});
    if (this.state === 'stopped') return; // start failed and cleaned up
    this.state = 'stopping';
    // no more takes (a take in flight ends first, so its consumer is stopped with the others), while the heartbeat
    // renews the leases of the batches in flight until their consumers have checkpointed and released them
    this.loopAbort.abort();
    await this.loopPromise;
    await this.stopConsumersRenewing();
    try {
      await this.store?.withdraw();
    } catch (e) {
      this.logger.warn('could not remove the worker presence item; it expires on its own', { error: e });
    }
    this.state = 'stopped';
    this.logger.info('stream worker stopped', { workerId: this.workerId, records: this.counters.records });
    this.emitProgress();
    this.destroyClients();
    this.settle.resolve();
  }

  /**
   * {@link stopConsumers} while the heartbeat renews their leases, then ends the heartbeat. The renewals end anyway
   * `applyTimeoutMs` + `leaseDurationMs` after the stop began (review s38x): a batch in flight is bounded by
   * `applyTimeoutMs`, but a consumer whose exit waits on a call that never answers (a checkpoint or a release through a
   * passed client without request timeouts) would otherwise keep its shard held for good; its lease then runs out,
   * as it did before the heartbeat went on during a stop. With `applyTimeoutMs: Infinity` nothing bounds them.
   */
  private async stopConsumersRenewing(): Promise<void> {
    const bound = this.o.applyTimeoutMs + this.o.leaseDurationMs;
    const cap =
      bound <= MAX_TIMER_MS // a longer cap is none (Infinity among them)
        ? setTimeout(() => {
            if (this.consumers.size > 0)
              this.logger.warn(
                'stopping: consumers still running after applyTimeoutMs + leaseDurationMs; their leases are no longer renewed',
                { workerId: this.workerId, shards: [...this.consumers.keys()] },
              );
            this.heartbeatAbort.abort();
          }, bound)
        : undefined;
    try {
      await this.stopConsumers();
    } finally {
      if (cap !== undefined) clearTimeout(cap);
      this.heartbeatAbort.abort();
      await this.heartbeatPromise;
    }
  }

  /** Asks every consumer to finish its batch, checkpoint and release its lease, and waits for them. */
  private async stopConsumers(): Promise<void> {
    const running = [...this.consumers.values()];
    for (const { consumer } of running) consumer.requestStop('stop');
    await Promise.all(running.map((c) => c.exited));
  }

  private destroyClients(): void {
    for (const c of this.owned.splice(0)) c.destroy();
  }
}

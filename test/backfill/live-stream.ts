// The stream side of the property of a backfill under a live stream (backfill-live.property.int.test.ts): the
// source's stream read from DynamoDB Local, and delivered in batches to the stream side (createVersionedWriteSide
// in createStreamHandler), one "container" — its own process behind the RequestGate — until it is killed, as Lambda
// delivers a shard: a batch at a time, from the checkpoint, again from the failed record after a failure.
//
// Record times. DynamoDB Local rounds ApproximateCreationDateTime down to the minute; the service to the second. A
// record created after the backfill's end + the claim margin counts without a claim (claimWindow), so with minute
// times that path is hardly ever taken. Records are stamped with the second of the moment just before the write
// that made them (never after their true time, as the service's own time): the stream is read after every write,
// and a record is stamped so only when the stream held every record expected before and after that write (else it
// keeps DynamoDB Local's time).
import type { DynamoDBRecord } from 'aws-lambda';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { type MemoryLogger, memoryLogger, type Pipeline, type ShardStream } from '../support/pipeline.ts';
import type { GatedProcess, RequestGate } from '../support/request-gate.ts';
import { LIVE_ROLLUPS, type StreamShape } from './live-rollups.ts';

/**
 * The consumer of one run's stream.
 *
 * @example
 * ```ts
 * const stream = new LiveStream(gate, pipeline, claimTable, { api: 'partiql', claimMarginMs: 1_000 }, hooks);
 * await stream.read({ since, expected: writer.records });
 * stream.deliver(3, 0);
 * ```
 */
export class LiveStream {
  private shards: ShardStream[] = [];
  private readonly positions = new Map<string, number>();
  /** Each record's time (epoch seconds) by sequence number, fixed when first read. */
  private readonly stamps = new Map<string, number>();
  /** The stream held every record expected at the last read. */
  private synced = true;
  private lastBatch = 0;
  private batch:
    | { proc: GatedProcess; settled: boolean; dead: boolean; shardId: string; from: number }
    | undefined;
  private container: GatedProcess | undefined;
  private handler: ReturnType<typeof createStreamHandler> | undefined;
  private readonly loggers: MemoryLogger[] = [];
  private containers = 0;
  /** Records stamped to the second. */
  stamped = 0;

  constructor(
    private readonly gate: RequestGate,
    private readonly pipeline: Pipeline,
    private readonly claimTable: string,
    private readonly shape: StreamShape,
    private readonly hooks: {
      log(line: string): void;
      unexpected(problem: string): void;
      applied(): void;
    },
  ) {}

  /** A batch is being applied. */
  get busy(): boolean {
    return this.batch !== undefined && !this.batch.settled;
  }

  /** The container applying the batch, while it runs. */
  get process(): GatedProcess | undefined {
    return this.busy ? this.container : undefined;
  }

  /**
   * Reads the stream. Records read for the first time are stamped `since` (epoch ms, taken before the write that
   * made them) when the stream held `expected` records in all before and after it.
   */
  async read(stamp?: { since: number; expected: number }): Promise<void> {
    this.shards = await this.pipeline.readStream();
    const total = this.shards.reduce((n, s) => n + s.records.length, 0);
    const exact = stamp !== undefined && this.synced && total === stamp.expected;
    if (stamp !== undefined) this.synced = total === stamp.expected;
    for (const r of this.shards.flatMap((s) => s.records)) {
      const d = r.dynamodb as NonNullable<DynamoDBRecord['dynamodb']>;
      const seq = d.SequenceNumber as string;
      let t = this.stamps.get(seq);
      if (t === undefined) {
        t = exact
          ? Math.floor((stamp as { since: number }).since / 1000)
          : (d.ApproximateCreationDateTime ?? 0);
        if (exact) this.stamped++;
        this.stamps.set(seq, t);
      }
      d.ApproximateCreationDateTime = t;
    }
  }

  /** Starts the consumer after the first `attach` records (earlier ones are never delivered). */
  attach(attach: number): void {
    let left = attach;
    for (const s of this.shards) {
      const n = Math.min(left, s.records.length);
      this.positions.set(s.shardId, n);
      left -= n;
    }
  }

  /** Records not yet delivered. */
  get pending(): number {
    return this.shards.reduce((n, s) => n + s.records.length - (this.positions.get(s.shardId) ?? 0), 0);
  }

  /** Records whose time is past `endMs` (a version's backfill end + the claim margin). */
  after(endMs: number): number {
    return [...this.stamps.values()].filter((t) => t * 1000 > endMs).length;
  }

  /**
   * Delivers a batch of up to `size` records of the first shard with records left, starting `back` records before
   * its checkpoint (at most the last batch's length: a batch delivered again), to the container (a new one after
   * a kill). At least one record past the checkpoint is in it.
   */
  deliver(size: number, back: number): void {
    if (this.busy) return;
    const shard = this.shards.find((s) => (this.positions.get(s.shardId) ?? 0) < s.records.length);
    if (shard === undefined) return;
    const at = this.positions.get(shard.shardId) ?? 0;
    const from = Math.max(0, at - Math.min(back, this.lastBatch));
    const Records: DynamoDBRecord[] = shard.records.slice(from, Math.max(from + size, at + 1));
    if (this.handler === undefined || this.container?.killed === true) this.newContainer();
    const proc = this.container as GatedProcess;
    const logger = this.loggers.at(-1) as MemoryLogger;
    const batch = { proc, settled: false, dead: false, shardId: shard.shardId, from };
    this.batch = batch;
    const range = `[${from}, ${from + Records.length})`;
    this.hooks.log(`deliver ${range} to ${proc.name} (checkpoint ${at})`);
    const seen = logger.lines.length;
    // retried from the failed record (the batch's first): a batch of a dead container is delivered again
    const failed = (thrown: unknown): void => {
      if (batch.dead) return;
      batch.settled = true;
      this.positions.set(shard.shardId, from);
      this.lastBatch = 0;
      this.hooks.log(`${proc.name} failed its batch`);
      if (!proc.killed)
        this.hooks.unexpected(
          `${proc.name} failed a batch it was not killed in: ${thrown === undefined ? '' : `${(thrown as Error).stack ?? String(thrown)} `}${JSON.stringify(logger.lines.slice(seen)).slice(0, 2000)}`,
        );
    };
    (this.handler as ReturnType<typeof createStreamHandler>)({ Records, shardId: shard.shardId }).then(
      (res) => {
        if (batch.dead) return; // delivered again already
        batch.settled = true;
        if (res.batchItemFailures.length === 0) {
          this.positions.set(shard.shardId, Math.max(at, from + Records.length));
          this.lastBatch = Records.length;
          this.hooks.applied();
          this.hooks.log(`${proc.name} applied ${range}`);
          return;
        }
        failed(undefined);
      },
      // a thrown batch (the handler's default for a failure) is retried from its first record, as Lambda does
      (e: unknown) => failed(e),
    );
  }

  /**
   * Kills the container in the middle of its batch. `onWire`: the requests it was about to send were sent before it
   * died and land whenever they are released, and the batch is delivered again at once, to a new container (Lambda
   * retrying a batch whose invocation timed out while its writes are still on their way).
   */
  kill(onWire: boolean): void {
    const batch = this.batch;
    if (this.container === undefined || batch === undefined || !this.busy) return;
    this.hooks.log(`kill ${this.container.name}${onWire ? ', its requests on the wire' : ''}`);
    this.gate.kill(this.container, { onWire });
    if (!onWire) return;
    batch.settled = true;
    batch.dead = true;
    this.positions.set(batch.shardId, batch.from);
    this.lastBatch = 0;
  }

  private newContainer(): void {
    this.container = this.gate.process(`stream-${++this.containers}`);
    const logger = memoryLogger();
    this.loggers.push(logger);
    this.handler = createStreamHandler({
      applier: createVersionedWriteSide({
        client: this.container.client,
        table: this.pipeline.aggregates,
        claimTable: this.claimTable,
        rollups: [...LIVE_ROLLUPS],
        ...(this.shape.claimMarginMs === undefined ? {} : { claimMarginMs: this.shape.claimMarginMs }),
        apply: { write: { api: this.shape.api } },
      }),
      logger,
    });
  }

  /** What the stream side logged of records it could not count (dead letters): none expected. */
  deadLetters(): string[] {
    return this.loggers.flatMap((l) =>
      l.lines.filter((x) => x.message.startsWith('dead letter')).map((x) => JSON.stringify(x).slice(0, 500)),
    );
  }

  /** Where the consumer stands (for a run that does not end). */
  state(): { positions: number[]; records: number[] } {
    return { positions: [...this.positions.values()], records: this.shards.map((s) => s.records.length) };
  }
}

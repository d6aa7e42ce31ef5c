// The world of the property of a backfill under a live stream (backfill-live.property.int.test.ts): a source table
// on DynamoDB Local, the rollups of live-rollups.ts registered `building` (a new rollup over existing items),
// the stream consumer (live-stream.ts), and backfill processes of each rollup, every DynamoDB request of the stream
// side and of the backfills waiting at one RequestGate. The schedule (live-schedule.ts) drives it step by step:
// release a request (or let one go and kill its process as it lands), write to the source, deliver a batch, start a
// backfill process (a resume, or a second one beside a running one), kill one, stop one with its signal, kill the
// stream side's container in the middle of a batch.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import type { Img, Pipeline } from '../support/pipeline.ts';
import { Crash, type GatedProcess, RequestGate, type WaitingRequest } from '../support/request-gate.ts';
import type { LiveOp, LiveWriter } from './live-ops.ts';
import { type BackfillShape, LIVE_ROLLUPS, type StreamShape } from './live-rollups.ts';
import { LiveStream } from './live-stream.ts';
import { requestPhase } from './request-phase.ts';

interface BackfillProcess {
  rollup: number;
  proc: GatedProcess;
  stop: AbortController;
  settled: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The processes, the source writes and the stream consumer of one run.
 *
 * @example
 * ```ts
 * const world = new LiveWorld(clients.ddb, pipeline, writer, claimTable, shapes, streamShape, ops, 0);
 * await world.attach(3, since);
 * world.startBackfill(0);
 * await world.settle();
 * ```
 */
export class LiveWorld {
  /** What happened, one line a step (printed when the property fails). */
  readonly trace: string[] = [];
  /** Failures no crash or stop explains: the property fails on any. */
  readonly unexpected: string[] = [];
  readonly backfills: BackfillProcess[] = [];
  /** Rollups whose version the backfill completed. */
  readonly complete = new Set<number>();
  /** Where backfill processes were killed: the step of the request they were about to send (or that landed). */
  readonly killsAt: Record<string, number> = {};
  /** What the run did (totals printed by the test). */
  readonly stats = {
    started: 0,
    killed: 0,
    stopped: 0,
    streamKilled: 0,
    writesDuringBackfill: 0,
    batchesDuringBackfill: 0,
    completedAfterCrash: 0,
    lateWrites: 0,
  };
  /** The gate every process's requests wait at. */
  readonly gate: RequestGate;
  readonly stream: LiveStream;
  private started = 0;
  private opIndex = 0;
  /** Writes held back until every backfill ended and the claim margin passed: their records count without claims. */
  private lateOpen = false;
  /**
   * Items writes aim at half the time: those a process read last (a scan page, an item read again), or after a
   * backfill process was killed, for the next few writes, those it read last (its chunk, cut by the crash, is
   * changed before it is resumed).
   */
  private hot: number[] = [];
  private pinned = 0;
  private readonly lastRead = new Map<GatedProcess, number[]>();

  constructor(
    base: DynamoDBClient,
    readonly pipeline: Pipeline,
    readonly writer: LiveWriter,
    readonly claimTable: string,
    readonly shapes: readonly BackfillShape[],
    readonly streamShape: StreamShape,
    readonly ops: readonly LiveOp[],
    private readonly late: number,
  ) {
    this.gate = new RequestGate(base, (proc, command, output) => this.answered(proc, command, output));
    this.stream = new LiveStream(this.gate, pipeline, claimTable, streamShape, {
      log: (line) => this.log(line),
      unexpected: (problem) => this.unexpected.push(problem),
      applied: () => {
        if (this.running.length > 0) this.stats.batchesDuringBackfill++;
      },
    });
  }

  /** Adds a line to the trace (and prints it at once with DEBUG_LIVE=2). */
  log(line: string): void {
    this.trace.push(line);
    if (process.env.DEBUG_LIVE === '2') process.stderr.write(`${line}\n`);
  }

  /** Backfill processes still running. */
  get running(): BackfillProcess[] {
    return this.backfills.filter((b) => !b.settled);
  }

  /** Writes that may be made now (late ones only once both backfills ended and the claim margin passed). */
  get writable(): number {
    return this.ops.length - this.opIndex - (this.lateOpen ? 0 : this.late);
  }

  /** Late writes wait for every backfill and the claim margin. */
  get lateWaiting(): boolean {
    return !this.lateOpen && this.late > 0 && this.ops.length - this.opIndex > 0;
  }

  /** Waits past the claim margin after every backfill ended: the late writes' records count without claims. */
  async openLate(): Promise<void> {
    await sleep((this.streamShape.claimMarginMs ?? 0) + 1_100);
    this.lateOpen = true;
    this.log('late writes from here');
  }

  /**
   * Starts the consumer after the first `attach` records of the stream, stamping them `since` (taken before the
   * first write).
   */
  async attach(attach: number, since: number): Promise<void> {
    await this.stream.read({ since, expected: this.writer.records });
    this.stream.attach(attach);
    this.log(`attach after ${attach} records`);
  }

  /** The next source write; with an even `aim`, to one of the items a backfill process read last. */
  async write(aim: number): Promise<void> {
    const next = this.ops[this.opIndex++];
    if (next === undefined) return;
    const key = aim % 2 === 0 ? this.hot[(aim >> 1) % Math.max(1, this.hot.length)] : undefined;
    if (this.pinned > 0) this.pinned--;
    const op = key === undefined ? next : { ...next, key };
    const since = Date.now();
    await this.writer.apply(op);
    await this.stream.read({ since, expected: this.writer.records });
    if (this.running.length > 0) this.stats.writesDuringBackfill++;
    if (this.lateOpen) this.stats.lateWrites++;
    this.log(`write ${JSON.stringify(op)}`);
  }

  /** Remembers the items a scan page or an item read of the source returned. */
  private answered(proc: GatedProcess, command: unknown, output: unknown): void {
    const input = (command as { input?: { TableName?: string } }).input;
    if (input?.TableName !== this.pipeline.source) return;
    const out = output as { Items?: Img[]; Item?: Img };
    const ids = (out.Items ?? (out.Item === undefined ? [] : [out.Item])).map((i) =>
      Number(i.id?.S?.slice(1)),
    );
    this.lastRead.set(proc, ids);
    if (this.pinned === 0 && ids.length > 0) this.hot = ids;
  }

  /** Starts a backfill process of rollup `r` (a first run, a resume, or one beside a running one). */
  startBackfill(r: number): void {
    const rollup = LIVE_ROLLUPS[r];
    const shape = this.shapes[r] as BackfillShape;
    if (rollup === undefined) throw new Error(`no rollup ${r}`);
    const proc = this.gate.process(`bf-${rollup.name}-${++this.started}`);
    const stop = new AbortController();
    const entry: BackfillProcess = { rollup: r, proc, stop, settled: false };
    const resumed = this.backfills.some((b) => b.rollup === r);
    this.stats.started++;
    this.backfills.push(entry);
    this.log(`start ${proc.name}`);
    runBackfill({
      client: proc.client,
      source: this.pipeline.source,
      table: this.pipeline.aggregates,
      claimTable: this.claimTable,
      rollup,
      segments: shape.segments,
      chunkItems: shape.chunkItems,
      claimConcurrency: shape.claimConcurrency,
      apply: { concurrency: shape.concurrency },
      settleMs: 0,
      signal: stop.signal,
    }).then(
      (report) => {
        entry.settled = true;
        this.log(`${proc.name} ended, complete: ${report.complete}`);
        if (!report.complete) this.unexpected.push(`${proc.name} ended incomplete`);
        this.complete.add(r);
        if (resumed) this.stats.completedAfterCrash++;
        if (report.progress.uncountable > 0)
          this.unexpected.push(`${proc.name}: ${report.progress.uncountable} uncountable`);
      },
      (e: unknown) => {
        entry.settled = true;
        const stopped = isDynotallyError(e, 'BACKFILL_REFUSED') && /stopped/.test((e as Error).message);
        this.log(`${proc.name} failed: ${(e as Error).name} ${(e as Error).message.slice(0, 80)}`);
        if (e instanceof Crash && proc.killed) return;
        if (stopped && stop.signal.aborted) return;
        // the version is complete (another process ended it, maybe one killed as its end landed): refused, as
        // documented; the test checks the version's state at the end
        if (isDynotallyError(e, 'BACKFILL_REFUSED') && /is ready/.test((e as Error).message)) {
          this.complete.add(r);
          return;
        }
        this.unexpected.push(`${proc.name}: ${(e as Error).stack ?? String(e)}`);
      },
    );
  }

  /** The step of a waiting request (request-phase.ts). */
  phase(w: Pick<WaitingRequest, 'command' | 'input'>): string {
    const { source, aggregates } = this.pipeline;
    return requestPhase(w, { source, aggregates, claims: this.claimTable });
  }

  /**
   * Kills a running backfill process before the first of its waiting requests; `onWire`, those requests were sent
   * before it died and land later, maybe after another process took its place (it counts as ended at once).
   */
  killBackfill(b: BackfillProcess, onWire: boolean): void {
    const w = this.gate.waiting.find((x) => x.process === b.proc);
    this.countKill(w === undefined ? 'timer' : `${this.phase(w)}${onWire ? '@wire' : ''}`, b.proc);
    this.log(`kill ${b.proc.name}${onWire ? ', its requests on the wire' : ''}`);
    this.gate.kill(b.proc, { onWire });
    if (onWire) b.settled = true;
  }

  /** Kills the process of a waiting request: before it is sent, or as it lands (its answer lost). */
  killAs(w: WaitingRequest, lands: boolean): void {
    if (w.process.name.startsWith('stream-')) this.stats.streamKilled++;
    else this.countKill(`${this.phase(w)}${lands ? '@lands' : ''}`, w.process);
    this.log(`${w.process.name} dies ${lands ? 'as' : 'before'} its ${w.command} (${this.phase(w)}) lands`);
    if (lands) this.gate.release(this.gate.waiting.indexOf(w), { kill: true });
    else this.gate.kill(w.process);
  }

  /** Counts a kill, and aims the next writes at what the killed process read last. */
  private countKill(phase: string, proc: GatedProcess): void {
    this.stats.killed++;
    this.killsAt[phase] = (this.killsAt[phase] ?? 0) + 1;
    const ids = this.lastRead.get(proc);
    if (ids === undefined || ids.length === 0) return;
    this.hot = ids;
    this.pinned = 4;
  }

  /** Stops a running backfill process with its signal. */
  stopBackfill(b: BackfillProcess): void {
    this.log(`stop ${b.proc.name}`);
    this.stats.stopped++;
    b.stop.abort();
  }

  /** Kills the stream side's container in the middle of its batch (`onWire`: see {@link LiveStream.kill}). */
  killStream(onWire: boolean): void {
    if (!this.stream.busy) return;
    this.stats.streamKilled++;
    this.stream.kill(onWire);
  }

  /**
   * Waits until every process stands at the gate or has ended (a process sleeping on a timer, a retry's backoff,
   * is waited for).
   */
  async settle(): Promise<void> {
    for (let i = 0; ; i++) {
      await this.gate.settle();
      if (this.gate.waiting.length > 0 || (this.running.length === 0 && !this.stream.busy)) return;
      if (i > 2000) throw new Error(`a process neither ends nor sends a request: ${this.state()}`);
      await sleep(5);
    }
  }

  /** Whether records are still coming once all else is done (the stream read again after a moment). */
  async finished(): Promise<boolean> {
    await sleep(50);
    await this.stream.read();
    return this.stream.pending > 0;
  }

  /** One line on where the run stands (for a run that does not end). */
  state(): string {
    return JSON.stringify({
      waiting: this.gate.waiting.map((w) => `${w.process.name}:${w.command}`),
      running: this.running.map((b) => b.proc.name),
      batch: this.stream.process?.name,
      writable: this.writable,
      complete: [...this.complete],
      ...this.stream.state(),
    });
  }
}

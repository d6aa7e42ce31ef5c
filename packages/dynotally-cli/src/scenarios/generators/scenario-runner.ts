import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from 'dynotally';
import { scenario } from './catalogue.ts';
import type { ScenarioGenerator, ScenarioId, SourceChange, SourceChangeKind } from './types.ts';
import { type WrittenChange, writeChanges } from './write-changes.ts';

/**
 * Options of {@link ScenarioRunner}.
 *
 * @example
 * ```ts
 * const options: ScenarioRunnerOptions = { client, table: 'dynotally-source', scenarios: ['s2'], rate: { s2: 10 } };
 * ```
 */
export interface ScenarioRunnerOptions {
  /** Your client for the source table (never destroyed). */
  client: DynamoDBClient;
  /** The source table (items keyed `pk`/`sk`, with a stream). */
  table: string;
  scenarios: readonly ScenarioId[];
  /** Events per second per scenario (default 5); a number for all, or per scenario. */
  rate?: number | Partial<Record<ScenarioId, number>>;
  /** Base PRNG seed; scenario i uses `seed + i` (default: each scenario's fixed seed). */
  seed?: number;
  /** How often the runner wakes to write what is due (default 100 ms). */
  tickMs?: number;
  /** Called with every acknowledged write (freshness tracking, logs). */
  onWrite?: (id: ScenarioId, written: readonly WrittenChange[]) => void;
  /** Called when a write fails; the run goes on. Default: rethrown from `stop()`. */
  onError?: (id: ScenarioId, error: unknown) => void;
  /** Clock (ms), for tests. */
  now?: () => number;
}

/**
 * Per-scenario counters of a {@link ScenarioRunner}.
 *
 * @example
 * ```ts
 * for (const s of runner.stats()) console.log(s.id, s.total, s.written.delete);
 * ```
 */
export interface ScenarioRunStats {
  id: ScenarioId;
  /** The target events/s. */
  rate: number;
  /** Changes acknowledged by DynamoDB, by kind. */
  written: Record<SourceChangeKind, number>;
  /** Sum of `written`. */
  total: number;
  /** Writes that failed. */
  errors: number;
  /** Epoch ms of the last acknowledged write (0 before the first). */
  lastWriteAt: number;
}

const MAX_BACKLOG_S = 2;

/**
 * Drives scenario generators against a real source table: at each tick every running scenario gets the
 * events due at its rate (events/s, changeable live with `setRate`), and they are written in order with
 * `BatchWriteItem`. `pause()` stops generating and resolves once in-flight writes are acknowledged, so a
 * caller can read aggregates at a quiet moment.
 *
 * @example
 * ```ts
 * const runner = new ScenarioRunner({ client, table: 'dynotally-source', scenarios: ['s0', 's4'], rate: 10 });
 * runner.start();
 * runner.setRate(50, 's4');
 * await runner.pause();
 * console.log(runner.stats());
 * await runner.stop();
 * ```
 */
export class ScenarioRunner {
  private readonly generators = new Map<ScenarioId, ScenarioGenerator>();
  private readonly rates = new Map<ScenarioId, number>();
  private readonly tokens = new Map<ScenarioId, number>();
  private readonly counters = new Map<ScenarioId, ScenarioRunStats>();
  private loop: Promise<void> | undefined;
  private inflight: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private isPaused = false;
  private wake: (() => void) | undefined;
  private firstError: unknown;

  constructor(private readonly options: ScenarioRunnerOptions) {
    options.scenarios.forEach((id, i) => {
      const rate = typeof options.rate === 'number' ? options.rate : (options.rate?.[id] ?? 5);
      checkRate(rate);
      const seed = options.seed === undefined ? undefined : options.seed + i;
      this.generators.set(id, scenario(id).create({ rate, ...(seed === undefined ? {} : { seed }) }));
      this.rates.set(id, rate);
      this.tokens.set(id, 0);
      this.counters.set(id, {
        id,
        rate,
        written: { insert: 0, modify: 0, delete: 0, resend: 0 },
        total: 0,
        errors: 0,
        lastWriteAt: 0,
      });
    });
  }

  /** True while paused. */
  get paused(): boolean {
    return this.isPaused;
  }

  /** The scenarios this runner drives. */
  get scenarios(): readonly ScenarioId[] {
    return this.options.scenarios;
  }

  /** Starts generating (idempotent). */
  start(): void {
    if (this.loop !== undefined || this.stopped) return;
    this.loop = this.run();
  }

  /**
   * Writes `count` backdated inserts per scenario (each generator's history), before or while running.
   * Returns how many were written.
   */
  async seedHistory(count: number, onProgress?: (done: number, total: number) => void): Promise<number> {
    const now = this.now();
    const all: [ScenarioId, SourceChange[]][] = [...this.generators].map(([id, g]) => [
      id,
      g.history(now, count),
    ]);
    const total = all.reduce((n, [, c]) => n + c.length, 0);
    let done = 0;
    for (const [id, changes] of all) {
      for (let i = 0; i < changes.length; i += 100) {
        await this.write(id, changes.slice(i, i + 100));
        done += Math.min(100, changes.length - i);
        onProgress?.(done, total);
      }
    }
    return done;
  }

  /** Stops generating and resolves once the writes in flight are acknowledged. */
  async pause(): Promise<void> {
    this.isPaused = true;
    await this.inflight;
  }

  /** Generates again after {@link pause}, without a burst for the paused time. */
  resume(): void {
    for (const id of this.tokens.keys()) this.tokens.set(id, 0);
    this.isPaused = false;
  }

  /** Changes the rate (events/s) of one scenario, or of all when `id` is omitted. Takes effect at the next tick. */
  setRate(rate: number, id?: ScenarioId): void {
    checkRate(rate);
    for (const sid of id === undefined ? this.options.scenarios : [id]) {
      const gen = this.generators.get(sid);
      if (gen === undefined) {
        throw new DynotallyError(
          'CONFIG_INVALID',
          `scenario '${sid}' is not running here: running are ${this.options.scenarios.join(', ')}`,
        );
      }
      this.rates.set(sid, rate);
      (this.counters.get(sid) as ScenarioRunStats).rate = rate;
      gen.setRate?.(rate);
    }
  }

  /** Counters per scenario. */
  stats(): ScenarioRunStats[] {
    return this.options.scenarios.map((id) => {
      const c = this.counters.get(id) as ScenarioRunStats;
      return { ...c, written: { ...c.written } };
    });
  }

  /** Stops generating, waits for writes in flight, and rethrows the first write error when no `onError` took it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.inflight;
    if (this.firstError !== undefined) throw this.firstError;
  }

  private async run(): Promise<void> {
    const tick = this.options.tickMs ?? 100;
    let last = this.now();
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, tick);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const now = this.now();
      const dt = (now - last) / 1000;
      last = now;
      if (this.stopped || this.isPaused) continue;
      const due: [ScenarioId, SourceChange[]][] = [];
      for (const [id, gen] of this.generators) {
        const rate = this.rates.get(id) as number;
        const tokens = Math.min((this.tokens.get(id) as number) + rate * dt, rate * MAX_BACKLOG_S + 1);
        const n = Math.floor(tokens);
        this.tokens.set(id, tokens - n);
        if (n > 0) due.push([id, Array.from({ length: n }, () => gen.next(now))]);
      }
      const writes = Promise.all(due.map(([id, changes]) => this.write(id, changes)));
      this.inflight = writes;
      await writes;
    }
  }

  private async write(id: ScenarioId, changes: SourceChange[]): Promise<void> {
    const c = this.counters.get(id) as ScenarioRunStats;
    try {
      const written = await writeChanges(this.options.client, this.options.table, changes);
      for (const w of written) c.written[w.change.kind] += 1;
      c.total += written.length;
      if (written.length > 0) c.lastWriteAt = (written[written.length - 1] as WrittenChange).writtenAt;
      this.options.onWrite?.(id, written);
    } catch (error) {
      c.errors += changes.length;
      if (this.options.onError !== undefined) this.options.onError(id, error);
      else {
        this.firstError ??= error;
        this.stopped = true;
      }
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function checkRate(rate: number): void {
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 10_000)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `rate ${rate} is not valid: give events per second between 0 and 10000`,
      {
        details: { rate },
      },
    );
  }
}

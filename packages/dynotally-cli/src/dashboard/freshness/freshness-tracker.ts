import type { ScenarioId, WrittenChange } from '../../scenarios/generators/index.ts';
import type { FreshnessProbe } from './probe.ts';

/**
 * What a panel shows about its freshness.
 *
 * @example
 * ```ts
 * const v: FreshnessView | undefined = tracker.view('s2');
 * console.log(`p50 ≤ ${v?.p50Ms} ms over ${v?.samples} writes`);
 * ```
 */
export interface FreshnessView {
  /** `value-match` or `latest-time` (see {@link FreshnessProbe}). */
  method: 'value-match' | 'latest-time';
  /** How often visibility is checked: every sample is an upper bound, at most this much too high. */
  resolutionMs: number;
  /** Samples in the last `windowMs`. */
  samples: number;
  /** Median write → visible time over the window (ms), `null` without samples. */
  p50Ms: number | null;
  /** 90th percentile (ms). */
  p90Ms: number | null;
  /** The newest sample (ms). */
  lastMs: number | null;
  /** Writes to the watched groups not visible yet, and the age of the oldest (ms). */
  pending: number;
  oldestPendingMs: number | null;
  /** Writes given up on (not visible within `timeoutMs`), and re-synchronisations after a mismatch. */
  timedOut: number;
  resyncs: number;
  /** False until `start()`: writes before it are not measured. */
  started: boolean;
}

/**
 * Options of {@link FreshnessTracker}.
 *
 * @example
 * ```ts
 * new FreshnessTracker({ probes: referenceProbes(query, Date.now(), ['s2']), tickMs: 250 });
 * ```
 */
export interface FreshnessTrackerOptions {
  probes: readonly FreshnessProbe[];
  /** Check interval (default 500 ms). */
  tickMs?: number;
  /** Samples kept for the view (default 60 s). */
  windowMs?: number;
  /** A write not visible after this long is given up on (default 60 s). */
  timeoutMs?: number;
  /** A group whose value matches no expectation, with no write in this long, is re-synchronised (default 10 s). */
  resyncAfterMs?: number;
  /** Called when a read fails (the next tick tries again). */
  onError?: (error: unknown) => void;
  /** Called when a read succeeds (after failures: the reads answer again). */
  onRead?: () => void;
  now?: () => number;
}

interface Pending {
  writtenAt: number;
  /** `value`: the group's expected value once this write is visible. `time`: its event time. */
  target: number;
}

interface GroupState {
  /** `value`: the value once every confirmed write is visible. `time`: the latest confirmed event time. */
  confirmed: number;
  /** `value`: the value expected after all writes so far. */
  expected: number;
  pending: Pending[];
  lastWriteAt: number;
}

interface ProbeState {
  probe: FreshnessProbe;
  groups: Map<string, GroupState>;
  samples: { at: number; ms: number }[];
  timedOut: number;
  resyncs: number;
}

/**
 * Measures freshness — the time from a source write (acknowledged by DynamoDB) to its effect being visible
 * in a query — for each scenario, by polling the query client. It never reads the aggregate table
 * directly. See {@link FreshnessProbe} for the two ways a write is recognised; for `value` probes, a group
 * whose value matches several expectations (a +1 then a −1) is left until the next tick, and one that
 * matches none (out-of-order application across shards) is re-synchronised once it is quiet. Each sample is
 * `(tick that first saw it) − (write acknowledged)`: an upper bound, at most one tick too high.
 *
 * Call `start()` at a quiet moment (every earlier write visible): it reads each watched group's current
 * value as the baseline.
 *
 * @example
 * ```ts
 * const tracker = new FreshnessTracker({ probes: referenceProbes(query, now) });
 * runner = new ScenarioRunner({ ...runnerOptions, onWrite: (id, written) => tracker.record(id, written) });
 * await tracker.start();
 * tracker.view('s2'); // { p50Ms: 640, samples: 31, … }
 * ```
 */
export class FreshnessTracker {
  private readonly states = new Map<ScenarioId, ProbeState>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly options: FreshnessTrackerOptions) {
    for (const probe of options.probes) {
      this.states.set(probe.id, { probe, groups: new Map(), samples: [], timedOut: 0, resyncs: 0 });
    }
  }

  /** Reads the baselines, then checks visibility every tick until `stop()`. */
  async start(): Promise<void> {
    for (const state of this.states.values()) {
      const values = await state.probe.read(state.probe.groups);
      for (const g of state.probe.groups) {
        const v = values.get(g) ?? 0;
        state.groups.set(g, { confirmed: v, expected: v, pending: [], lastWriteAt: 0 });
      }
    }
    this.started = true;
    this.schedule();
  }

  /** Records acknowledged writes (the runner's `onWrite`). Ignored before `start()`. */
  record(id: ScenarioId, written: readonly WrittenChange[]): void {
    const state = this.states.get(id);
    if (state === undefined || !this.started) return;
    for (const { change, writtenAt } of written) {
      for (const [group, x] of state.probe.effect(change)) {
        const g = state.groups.get(group);
        if (g === undefined) continue;
        g.lastWriteAt = writtenAt;
        if (state.probe.kind === 'value') {
          if (x === 0) continue;
          g.expected += x;
          g.pending.push({ writtenAt, target: g.expected });
        } else if (x > Math.max(g.confirmed, g.pending.at(-1)?.target ?? Number.NEGATIVE_INFINITY)) {
          g.pending.push({ writtenAt, target: x });
        }
      }
    }
  }

  /** One visibility check of every probe (the timer calls it; tests may too). */
  async check(): Promise<void> {
    const now = this.now();
    await Promise.all(
      [...this.states.values()].map(async (state) => {
        const watched = [...state.groups].filter(([, g]) => g.pending.length > 0).map(([name]) => name);
        if (watched.length === 0) return;
        let values: ReadonlyMap<string, number>;
        try {
          values = await state.probe.read(watched);
        } catch (error) {
          this.options.onError?.(error);
          return;
        }
        this.options.onRead?.();
        const seenAt = this.now();
        for (const name of watched)
          this.observe(state, state.groups.get(name) as GroupState, values.get(name) ?? 0, seenAt, now);
      }),
    );
  }

  /** The freshness of one scenario's panel. */
  view(id: ScenarioId): FreshnessView | undefined {
    const state = this.states.get(id);
    if (state === undefined) return undefined;
    const now = this.now();
    const windowMs = this.options.windowMs ?? 60_000;
    state.samples = state.samples.filter((s) => now - s.at <= windowMs);
    const sorted = state.samples.map((s) => s.ms).sort((a, b) => a - b);
    let pending = 0;
    let oldest: number | null = null;
    for (const g of state.groups.values()) {
      pending += g.pending.length;
      const first = g.pending[0];
      if (first !== undefined) oldest = Math.max(oldest ?? 0, now - first.writtenAt);
    }
    return {
      method: state.probe.kind === 'value' ? 'value-match' : 'latest-time',
      resolutionMs: this.options.tickMs ?? 500,
      samples: sorted.length,
      p50Ms: quantile(sorted, 0.5),
      p90Ms: quantile(sorted, 0.9),
      lastMs: state.samples.at(-1)?.ms ?? null,
      pending,
      oldestPendingMs: oldest,
      timedOut: state.timedOut,
      resyncs: state.resyncs,
      started: this.started,
    };
  }

  /** Stops checking (waits for a check in flight). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  private observe(state: ProbeState, g: GroupState, seen: number, seenAt: number, tickStart: number): void {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    let visible = -1; // index of the newest pending write now visible
    if (state.probe.kind === 'time') {
      for (let i = 0; i < g.pending.length; i++) if ((g.pending[i] as Pending).target <= seen) visible = i;
    } else {
      const matches: number[] = [];
      if (g.confirmed === seen) matches.push(-1);
      g.pending.forEach((p, i) => {
        if (p.target === seen) matches.push(i);
      });
      if (matches.length > 1) return; // ambiguous: wait for a tick that tells them apart
      if (matches.length === 0) {
        if (tickStart - g.lastWriteAt >= (this.options.resyncAfterMs ?? 10_000)) {
          // Nothing pending explains the value and the group is quiet: take what is visible as the truth.
          state.resyncs += 1;
          g.pending = [];
          g.confirmed = seen;
          g.expected = seen;
        }
        return;
      }
      visible = matches[0] as number;
    }
    if (visible >= 0) {
      const newest = g.pending[visible] as Pending;
      state.samples.push({ at: seenAt, ms: Math.max(0, seenAt - newest.writtenAt) });
      g.confirmed = newest.target;
      g.pending = g.pending.slice(visible + 1);
    }
    const before = g.pending.length;
    g.pending = g.pending.filter((p) => seenAt - p.writtenAt <= timeoutMs);
    state.timedOut += before - g.pending.length;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check().finally(() => this.schedule());
    }, this.options.tickMs ?? 500);
    this.timer.unref?.();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

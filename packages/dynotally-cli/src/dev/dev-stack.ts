import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Rollup } from 'dynotally';
import {
  createLeaseTable,
  createQueryClient,
  createServingQueryClient,
  createSourceTable,
  createStreamWorker,
  DynotallyError,
  ensureTables,
  type QueryClient,
  type StreamWorker,
  type StreamWorkerOptions,
  type WorkerStats,
} from 'dynotally';
import {
  type DynamoDbLocal,
  localClientConfig,
  localStreamsClientConfig,
  startDynamoDbLocal,
} from 'dynotally/local';
import { DEFAULT_CLAIM_TABLE } from '../cli/commands/rollup-work.ts';
import { FreshnessTracker } from '../dashboard/freshness/freshness-tracker.ts';
import { referenceProbes } from '../dashboard/freshness/reference-probes.ts';
import { checkListenHost } from '../dashboard/listen.ts';
import { type DashboardServer, startDashboardServer } from '../dashboard/server.ts';
import {
  meterCount,
  meterId,
  SCENARIOS,
  type ScenarioId,
  ScenarioRunner,
  scenario,
} from '../scenarios/generators/index.ts';
import { type ChangeRollupDemo, type ChangeRollupSettings, createChangeRollupDemo } from './change-rollup.ts';
import { quietLogger } from './quiet-logger.ts';
import { repeatedLines } from './repeated-lines.ts';
import { type S4Mode, s4WiringFor } from './s4-mode.ts';
import { directS4, type S4Wiring } from './s4-wiring.ts';
import { existingSourceKeys } from './source-keys.ts';
import { type DevVersionedSideOptions, devVersionedSide } from './versioned-side.ts';

/**
 * Options of {@link startDevStack}.
 *
 * @example
 * ```ts
 * const options: DevStackOptions = { port: 0, rate: 5, scenarios: ['s0', 's4'], history: 0 };
 * ```
 */
export interface DevStackOptions {
  /** Dashboard port (default 4700; busy → the next free one; 0 = any free port). */
  port?: number;
  /** Dashboard host (default 127.0.0.1); on another one the API and controls still answer loopback peers only. */
  host?: string;
  /** Serve the dashboard's API and controls to any peer holding the token in its page URL (default false). */
  remoteControl?: boolean;
  /** Events per second per scenario (default 2). */
  rate?: number;
  /** Scenarios to run (default all five); `[]` runs no generator (`dev --scenarios none`). */
  scenarios?: readonly ScenarioId[];
  /**
   * The rollups the worker folds (default: those of `scenarios`). With `scenarios: []` these are yours: the
   * stack keeps the source table's own keys when it exists, and only enables its stream; the worker writes them
   * through their versions and starts and stops as `dynotally worker` does (`devVersionedSide`), and `query`
   * reads each one's serving version, as `dynotally query` does.
   */
  rollups?: readonly Rollup[];
  /**
   * With `scenarios: []`, the configuration's `alsoWrite`: the serving definitions of `rollups` kept written while
   * changed ones roll out, checked against the control items and written as `dynotally worker` does
   * (`liveAlsoWrite`; its notes go to `log`).
   */
  alsoWrite?: readonly Rollup[];
  /**
   * With `scenarios: []`, the configuration's applier settings (`mode`, `strategy`, `write.api`) for the worker's
   * write side, as `dynotally worker` writes with them (`directApplierOptions`); the applier's defaults when absent.
   */
  apply?: DevVersionedSideOptions['apply'];
  /** Backdated events per scenario written (and folded) before the live run (default 200). */
  history?: number;
  /** PRNG seed of the generators. */
  seed?: number;
  /** Use this DynamoDB (Local) instead of starting DynamoDB Local. */
  endpoint?: string;
  /** Table names (default dynotally-source, dynotally-aggregates, dynotally-dead-letters, dynotally-leases). */
  tables?: Partial<DevTables>;
  /**
   * S4's wiring, or a mode: `auto` (default) counts S4 in a Redis buffer of its own `redis-server` when one is
   * installed, else runs it direct; `buffered` insists (a coded error without `redis-server`); `direct`.
   */
  s4?: S4Wiring | S4Mode;
  /** Extra worker options (poll interval, batch size …). */
  worker?: Partial<StreamWorkerOptions>;
  /** The "change a rollup" demo's settings (it exists when S4 runs). */
  changeRollup?: ChangeRollupSettings;
  /** Freshness check interval (default 500 ms). */
  freshnessTickMs?: number;
  /** One-line notices (port busy, worker warnings). */
  log?: (line: string) => void;
  /** Start-up steps, for a progress line. */
  onStep?: (step: string) => void;
}

/**
 * The tables of the dev stack.
 *
 * @example
 * ```ts
 * const tables: DevTables = { source: 'src', aggregate: 'agg', deadLetter: 'dl', leases: 'leases' };
 * ```
 */
export interface DevTables {
  source: string;
  aggregate: string;
  deadLetter: string;
  leases: string;
  /** The claim table of the "change a rollup" demo's backfill (created when the demo starts). */
  claims?: string;
}

/**
 * A running dev stack.
 *
 * @example
 * ```ts
 * const stack: DevStack = await startDevStack();
 * await stack.quiesce();
 * await stack.stop();
 * ```
 */
export interface DevStack {
  /** The dashboard's base URL (`http://127.0.0.1:<port>` for a wildcard host); open `dashboard.pageUrl`. */
  readonly url: string;
  readonly port: number;
  /** The DynamoDB endpoint everything uses. */
  readonly endpoint: string;
  /** The DynamoDB Local this stack started (`undefined` with `endpoint`). */
  readonly dynamoDbLocal: { readonly pid: number; readonly port: number } | undefined;
  readonly tables: DevTables;
  readonly scenarios: readonly ScenarioId[];
  readonly rollups: readonly Rollup[];
  readonly s4: S4Wiring;
  /** Backdated events written before the live run. */
  readonly historyEvents: number;
  readonly runner: ScenarioRunner;
  /**
   * Reads the aggregates (merging S4's Redis buffer when it has one). With `scenarios: []`, a serving query client
   * (`createServingQueryClient`) over your rollups and the alsoWrite definitions written: a rollup named by name
   * answers from its serving version, as `dynotally query` does.
   */
  readonly query: QueryClient;
  readonly freshness: FreshnessTracker;
  readonly dashboard: DashboardServer;
  /** The "change a rollup" demo (S4 gains revenue): `undefined` without S4. */
  readonly changeRollup: ChangeRollupDemo | undefined;
  /**
   * The workers' stats as one view: with S4 apart two workers read the same stream, so `records` and
   * `recordsPerSecond` are stream records read (the furthest worker's, not the sum: each worker reads every
   * record), `workers` how many workers run, and `shards` lists each worker's shards (see `distinctShards`).
   */
  workerStats(): WorkerStats;
  /**
   * Pauses the generators and resolves once every write is folded: the workers stayed idle for `quietMs`
   * (default 1 500 ms) — a quiet moment at which aggregates are exact.
   */
  quiesce(quietMs?: number): Promise<void>;
  /** Resumes the generators. */
  resume(): void;
  /** Stops everything this stack started, in reverse order; idempotent. */
  stop(): Promise<void>;
  /**
   * Settles once the stack has stopped: with `undefined` after {@link DevStack.stop}, or with the reason it stopped
   * itself. With `scenarios: []` it does when the worker's batch is refused for the configuration (another
   * configuration registered a newer version of a rollup, `VERSION_NOT_DEPLOYED`; its definition was retired,
   * `VERSION_UNKNOWN`): the batch is left unwritten, as `dynotally worker` leaves it. With the DynamoDB Local it
   * started, it does when that JVM exits by itself (`ENDPOINT_UNREACHABLE`: its in-memory tables are gone); with
   * S4 buffered in the `redis-server` it started, when that server exits by itself (`REDIS_UNAVAILABLE`: S4's counts
   * not yet flushed to DynamoDB are gone). An exit its own stop follows within 500 ms (Ctrl-C reaches them too) is not.
   */
  readonly stopped: Promise<DynotallyError | undefined>;
}

const DEFAULT_TABLES: DevTables = {
  source: 'dynotally-source',
  aggregate: 'dynotally-aggregates',
  deadLetter: 'dynotally-dead-letters',
  leases: 'dynotally-leases',
  claims: DEFAULT_CLAIM_TABLE,
};
const STOP_STEP_MS = 10_000;
/** How long after DynamoDB Local's exit the stack waits for a signal of its own before it calls the exit unexpected. */
const SIGNAL_GRACE_MS = 500;
/** How long the workers must stay idle before a quiet moment is trusted though they read fewer records than were written. */
const QUIET_GRACE_MS = 15_000;

/**
 * The local dev stack behind `npm start`: DynamoDB Local (in memory, no AWS account), the source table
 * (one for all five scenarios, items keyed `pk`/`sk`, with a `NEW_AND_OLD_IMAGES` stream), the aggregate,
 * dead-letter and lease tables, the stream worker in-process, the five scenario generators (inserts,
 * modifies, deletes) and the live dashboard. S4 counts in a Redis buffer of its own `redis-server` when one is
 * installed (see {@link DevStackOptions.s4}), flushed to DynamoDB on a timer, merged into every read. Writes some history first and waits until it is folded, so
 * the dashboard starts with a shape. `stop()` stops everything it started — DynamoDB Local's JVM included.
 *
 * @example
 * ```ts
 * const stack = await startDevStack({ port: 0, rate: 1, scenarios: ['s0', 's2'] });
 * console.log(stack.url);
 * await stack.quiesce(); // generators paused, every write folded
 * await stack.stop();
 * ```
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const log = options.log ?? (() => {});
  const step = options.onStep ?? (() => {});
  const scenarios = options.scenarios ?? SCENARIOS.map((s) => s.id);
  const rate = options.rate ?? 2;
  const tables: DevTables = { ...DEFAULT_TABLES, ...options.tables };
  const wanted = options.s4 ?? 'auto';
  // Without S4 among the scenarios, nothing of its wiring is needed (no redis-server is started).
  const s4: S4Wiring =
    typeof wanted === 'object' ? wanted : scenarios.includes('s4') ? s4WiringFor(wanted) : directS4;
  const stops: { name: string; stop: () => Promise<void> | void }[] = [];
  let muted = false;
  let local: DynamoDbLocal | undefined;
  /** Settles with the stack's reason to stop once the DynamoDB Local it started exits. */
  let localGone: Promise<DynotallyError> | undefined;
  // the failure lines of the generators, the freshness probe and the worker: a repeat at most once a minute
  const lines = repeatedLines(log);
  const logger = quietLogger(log, lines);
  // the workers' failures end when a worker's coordination cycle or batch goes through with no error since its last
  // progress, no shard failing and its leases held: a line then says their reads and writes go through again
  const errorsSeen = new Map<string, number>();
  const workerProgress = (stats: WorkerStats): void => {
    const before = errorsSeen.get(stats.workerId);
    errorsSeen.set(stats.workerId, stats.errors);
    if (before === stats.errors && stats.failingShards === 0 && stats.leasesHeld > 0)
      logger.recovered('reads and writes go through');
  };
  let stoppingAll = false;
  const stopAll = async (): Promise<void> => {
    stoppingAll = true;
    const errors: unknown[] = [];
    for (const s of stops.splice(0).reverse()) {
      try {
        await withTimeout(Promise.resolve(s.stop()), STOP_STEP_MS, s.name);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0)
      log(`stopping: ${errors.map((e) => String((e as Error).message ?? e)).join('; ')}`);
  };
  // a batch refused for the configuration (scenarios: []): during the start it fails the start; once started,
  // the stack stops itself and `stopped` settles with the reason
  let refusal: DynotallyError | undefined;
  let running = false;
  let stopping: Promise<void> | undefined;
  let settleStopped: (reason: DynotallyError | undefined) => void = () => {};
  const stopped = new Promise<DynotallyError | undefined>((r) => {
    settleStopped = r;
  });
  const stop = (): Promise<void> => {
    if (local !== undefined) {
      logger.mute(); // an in-memory DynamoDB Local dies with the stack anyway
      muted = true;
    }
    stopping ??= stopAll().then(() => settleStopped(refusal));
    return stopping;
  };

  // A process the stack started for itself (DynamoDB Local, S4's redis-server) exiting by itself took its data with
  // it: the stack stops with `reason` (exit 1) unless its own stop began meanwhile.
  const stopOnExit = (exited: Promise<DynotallyError>): void => {
    void exited.then(async (reason) => {
      // Ctrl-C in a terminal reaches the child too: give our own signal handler the moment it needs to start the stop
      await new Promise((r) => setTimeout(r, SIGNAL_GRACE_MS));
      if (stoppingAll) return; // our own stop (Ctrl-C, --duration, a failed start)
      refusal ??= reason;
      logger.mute();
      muted = true;
      if (running) void stop();
    });
  };

  // the dashboard starts last: a host it cannot listen on (a typo, another network's address) fails now, not then
  await checkListenHost(options.host ?? '127.0.0.1');
  try {
    let endpoint = options.endpoint;
    if (endpoint === undefined) {
      step('starting DynamoDB Local (in memory)');
      // A cold JVM on a busy laptop can take a while; waiting longer beats failing the first `npm start`.
      local = await startDynamoDbLocal({ timeoutMs: 120_000 });
      const started = local;
      stops.push({ name: 'DynamoDB Local', stop: () => started.stop() });
      endpoint = local.endpoint;
      // In memory, a JVM that exits takes every table with it: nothing can recover, so the stack stops (exit 1,
      // saying why) instead of every generator, probe and worker retrying against a closed port, a line each; during
      // the start, the start fails with the same reason (the catch below), not the connection error of a call in flight
      localGone = started.exited.then((how) => {
        const during = running ? 'ran' : 'started';
        return new DynotallyError(
          'ENDPOINT_UNREACHABLE',
          `DynamoDB Local (java pid ${started.pid}, ${started.endpoint}) exited (${how}) while the dev stack ${during}: its in-memory tables are gone, so the ${running ? 'stack stopped' : 'start failed'}; start it again (npm start)`,
          { details: { pid: started.pid, endpoint: started.endpoint, exit: how } },
        );
      });
      stopOnExit(localGone);
    }
    const client = new DynamoDBClient(localClientConfig(endpoint));
    const streams = new DynamoDBStreamsClient(localStreamsClientConfig(endpoint));
    stops.push({
      name: 'clients',
      stop: () => {
        client.destroy();
        streams.destroy();
      },
    });

    step('creating tables');
    // Without scenarios the source table is the user's: keep its keys when it exists.
    const keys = scenarios.length === 0 ? await existingSourceKeys(client, tables.source) : undefined;
    const [streamArn] = await Promise.all([
      createSourceTable(client, tables.source, keys ?? { pk: 'S', sk: 'S' }),
      ensureTables(client, {
        aggregate: tables.aggregate,
        deadLetter: tables.deadLetter,
        leases: tables.leases,
      }),
    ]);

    const rollups = options.rollups ?? scenarios.map((id) => scenario(id).rollup);
    const s4Apart = scenarios.includes('s4') && s4.workerOptions !== undefined;
    if (s4.start !== undefined) {
      // Muted with the worker's logger at stop: an in-memory DynamoDB Local is going away under the flusher.
      const s4Log = (line: string): void => {
        if (!muted) log(line);
      };
      await s4.start({
        client,
        endpoint,
        tables,
        log: s4Log,
        lines,
        dynamoDbOutlivesStack: local === undefined,
      });
      stops.push({ name: 'S4 wiring', stop: () => s4.stop?.() });
      // S4's own redis-server keeps nothing on disk: its exit lost the unflushed counts, so the stack stops (exit 1)
      // instead of S4's worker retrying against a closed port, a line every 2 s, and the loss going unsaid
      if (s4.lost !== undefined) stopOnExit(s4.lost);
    }
    const base = (leaseTable: string, rs: readonly Rollup[]): StreamWorkerOptions => ({
      client,
      streamsClient: streams,
      streamArn,
      leaseTable,
      table: tables.aggregate,
      rollups: rs,
      deadLetter: { table: tables.deadLetter },
      logger,
      batchSize: 500,
      pollIntervalMs: 200,
      onProgress: workerProgress,
      ...options.worker,
    });
    step('starting the stream worker');
    const workers: StreamWorker[] = [];
    const shared = rollups.filter((r) => !(s4Apart && r === scenario('s4').rollup));
    let alsoWritten: readonly Rollup[] = [];
    if (scenarios.length === 0 && shared.length > 0) {
      // your rollups (`dev --scenarios none`), as `dynotally worker` writes them: through their versions, so a
      // changed definition becomes a new version for `dynotally backfill … --promote` to build; started with its
      // checks, and stopped (the whole stack) on a batch refused for the configuration
      let own: StreamWorker | undefined;
      const { side, alsoWrite } = await devVersionedSide(client, {
        rollups: shared,
        alsoWrite: options.alsoWrite ?? [],
        tables,
        log,
        ...(options.apply === undefined ? {} : { apply: options.apply }),
        onRefusal: (reason) => {
          refusal ??= reason;
          void own?.stop(); // no retry of the refused batch meanwhile
          if (running) void stop();
        },
      });
      alsoWritten = alsoWrite;
      own = createStreamWorker({ ...base(tables.leases, shared), rollups: side.rollups, applier: side });
      workers.push(own);
    } else if (shared.length > 0) workers.push(createStreamWorker(base(tables.leases, shared)));
    if (s4Apart) {
      const leases = `${tables.leases}-s4`;
      await createLeaseTable(client, leases);
      workers.push(
        createStreamWorker(
          (s4.workerOptions as NonNullable<S4Wiring['workerOptions']>)(base(leases, [scenario('s4').rollup])),
        ),
      );
    }
    for (const w of workers) {
      await w.start();
      stops.push({ name: `worker ${w.workerId}`, stop: () => w.stop() });
    }

    // your rollups (scenarios: []): each one's serving version, read with the definition (configured or alsoWrite)
    // that has it, as `dynotally query` reads it; the scenarios' reference rollups have no versions
    const serving =
      scenarios.length === 0
        ? createServingQueryClient({ client, table: tables.aggregate, rollups: [...rollups, ...alsoWritten] })
        : undefined;
    const query =
      serving ??
      createQueryClient({
        client,
        table: tables.aggregate,
        rollups,
        ...(s4.liveSource === undefined ? {} : { liveSource: s4.liveSource }),
      });
    stops.push({ name: 'query client', stop: () => query.close() });
    await serving?.refresh(); // so that explain, which reads no control item, explains the serving version too
    let changeRollup: ChangeRollupDemo | undefined;
    const tracker = new FreshnessTracker({
      // S4 reads follow the change-a-rollup demo's serving client once it has one (made below)
      probes: referenceProbes(query, Date.now(), scenarios, () => changeRollup?.s4Reads()),
      tickMs: options.freshnessTickMs ?? 500,
      // muted at stop, as the generators are: Ctrl-C reaches DynamoDB Local and redis-server too, so a read in
      // flight then fails as expected
      // one line per failed read (two a second) during an outage of a DynamoDB given with --endpoint: said once,
      // then once a minute with a count, and once when reads answer again
      onError: (e) => {
        if (!muted) lines.failed('freshness probe', e, `freshness probe: ${(e as Error).message ?? e}`);
      },
      onRead: () => lines.succeeded('freshness probe', 'reads answer'),
    });
    stops.push({ name: 'freshness', stop: () => tracker.stop() });
    const runner = new ScenarioRunner({
      client,
      table: tables.source,
      scenarios,
      rate,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      onWrite: (id, written) => {
        lines.succeeded(`${id} generator`, 'writes go through');
        tracker.record(id, written);
      },
      // muted at stop: Ctrl-C in a terminal reaches DynamoDB Local too, so writes in flight then fail as expected;
      // a failure that repeats (a DynamoDB given with --endpoint is down) is said once, then once a minute
      onError: (id, e) => {
        if (!muted)
          lines.failed(`${id} generator`, e, `${id} generator: write failed: ${(e as Error).message ?? e}`);
      },
    });
    changeRollup = scenarios.includes('s4')
      ? createChangeRollupDemo({
          ...options.changeRollup,
          client,
          tables,
          claimTable: tables.claims ?? 'dynotally-claims',
          worker: (leaseTable, rs) => base(leaseTable, rs),
          liveSource: s4.liveSource,
          log,
        })
      : undefined;
    if (changeRollup !== undefined)
      stops.push({ name: 'change-a-rollup demo', stop: () => changeRollup.stop() });
    // stopped before the demo, the workers and DynamoDB Local (stops run last to first): the generators write to the
    // source table, and a demo's stop can take a while
    stops.push({ name: 'generators', stop: () => runner.stop() });

    const workerStats = (): WorkerStats => mergeStats(workers.map((w) => w.stats()));
    // Idle alone is not enough on a loaded machine: DynamoDB Local can surface a write's stream record after a
    // poll came back empty. Every acknowledged write makes one stream record, except S3's re-sends (a put of
    // an identical item makes none, on DynamoDB Local as on the service), so a quiet moment also needs each
    // worker to have read that many records; a write that made none otherwise only costs QUIET_GRACE_MS.
    const written = (): number => runner.stats().reduce((n, s) => n + s.total - s.written.resend, 0);
    const waitIdle = async (quietMs: number, timeoutMs: number): Promise<void> => {
      const started = Date.now();
      let idleSince: number | undefined;
      for (;;) {
        if (refusal !== undefined) throw refusal;
        const now = Date.now();
        const stats = workers.map((w) => w.stats());
        if (stats.every((s) => s.idle) && (changeRollup?.idle() ?? true)) {
          idleSince ??= now;
          const caughtUp = stats.every((s) => s.records >= written());
          if (now - idleSince >= (caughtUp ? quietMs : Math.max(quietMs, QUIET_GRACE_MS))) return;
        } else idleSince = undefined;
        if (now - started > timeoutMs) {
          throw new DynotallyError(
            'WORKER_ERROR',
            `the stream worker did not catch up within ${timeoutMs / 1000} s: lower the rate (--rate) or look at its warnings`,
            { details: { stats: workerStats() } },
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const history = scenarios.length === 0 ? 0 : (options.history ?? 200);
    let historyEvents = 0;
    if (history > 0) {
      step(`writing ${history * scenarios.length} backdated events`);
      historyEvents = await runner.seedHistory(history, (done, total) =>
        step(`writing history ${done}/${total}`),
      );
      step('folding the history');
    }
    await waitIdle(600, 120_000);
    await tracker.start();
    runner.start();

    step('starting the dashboard');
    const meters = (): string[] => {
      const s3 = runner.stats().find((s) => s.id === 's3');
      return s3 === undefined
        ? []
        : Array.from({ length: Math.min(12, meterCount(s3.rate)) }, (_, i) => meterId(i));
    };
    const dashboard = await startDashboardServer({
      query,
      scenarios,
      sources: {
        generators: runner,
        worker: workerStats,
        meters,
        ...(changeRollup === undefined ? {} : { changeRollup }),
      },
      freshness: tracker,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.remoteControl === undefined ? {} : { remoteControl: options.remoteControl }),
      onPortBusy: (busy, using) => log(`port ${busy} is busy; the dashboard uses ${using} instead`),
    });
    // Stopped in reverse: dashboard, generators, freshness, query, workers, S4 wiring, clients, DynamoDB Local.
    stops.push({ name: 'dashboard', stop: () => dashboard.close() });
    running = true;
    if (refusal !== undefined) throw refusal;

    return {
      url: dashboard.url,
      port: dashboard.port,
      endpoint,
      dynamoDbLocal: local === undefined ? undefined : { pid: local.pid, port: local.port },
      tables,
      scenarios,
      rollups,
      s4,
      historyEvents,
      runner,
      query,
      freshness: tracker,
      dashboard,
      changeRollup,
      workerStats,
      quiesce: async (quietMs = 1_500) => {
        await runner.pause();
        await waitIdle(quietMs, 120_000);
      },
      resume: () => runner.resume(),
      stop,
      stopped,
    };
  } catch (e) {
    // DynamoDB Local exiting during the start (a crash, the OOM killer, a kill) failed whichever call was in flight
    // with a connection error: the exit is the reason, as it is once the stack runs (review s42n)
    const gone =
      localGone === undefined || stoppingAll
        ? undefined
        : await Promise.race([localGone, new Promise<undefined>((r) => setTimeout(r, SIGNAL_GRACE_MS))]);
    await stopAll();
    if (gone !== undefined && gone !== e) {
      throw new DynotallyError('ENDPOINT_UNREACHABLE', gone.message, { details: gone.details, cause: e });
    }
    throw e;
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not stop within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sums the stats of several workers into one view (the first worker's identity). */
function mergeStats(all: readonly WorkerStats[]): WorkerStats {
  const [first, ...rest] = all;
  if (first === undefined) throw new DynotallyError('WORKER_ERROR', 'the dev stack runs no worker');
  if (rest.length === 0) return first;
  const sum = (f: (s: WorkerStats) => number): number => all.reduce((n, s) => n + f(s), 0);
  const max = (f: (s: WorkerStats) => number | undefined): number | undefined =>
    all.reduce<number | undefined>(
      (m, s) => (f(s) === undefined ? m : Math.max(m ?? 0, f(s) as number)),
      undefined,
    );
  return {
    ...first,
    idle: all.every((s) => s.idle),
    workers: all.length,
    leasesHeld: sum((s) => s.leasesHeld),
    shards: all.flatMap((s) => s.shards),
    // Every worker reads every record of the stream (and folds its own rollups): records read from the
    // stream are the furthest worker's count, not the sum (which counted each event once per worker).
    records: Math.max(...all.map((s) => s.records)),
    batches: sum((s) => s.batches),
    deadLettered: sum((s) => s.deadLettered),
    apply: { ...first.apply, poison: sum((s) => s.apply.poison) },
    retries: sum((s) => s.retries),
    bisections: sum((s) => s.bisections),
    recordsPerSecond: Math.max(...all.map((s) => s.recordsPerSecond)),
    iteratorAgeMs: max((s) => s.iteratorAgeMs),
    millisBehindLatest: max((s) => s.millisBehindLatest),
    errors: sum((s) => s.errors),
  };
}

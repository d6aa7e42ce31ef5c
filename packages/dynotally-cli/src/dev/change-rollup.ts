import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type BackfillProgress,
  type ControlItem,
  createClaimTable,
  createLeaseTable,
  createServingQueryClient,
  createStreamWorker,
  createVersionedWriteSide,
  type LiveSource,
  promoteVersion,
  type QueryClient,
  type Rollup,
  readControl,
  runBackfill,
  type StreamWorker,
  type StreamWorkerOptions,
} from 'dynotally';
import { plural } from '../cli/output/plural.ts';
import type { ChangeRollupControl } from '../dashboard/sources.ts';
import type { ChangeRollupPhase, ChangeRollupView } from '../dashboard/state/types.ts';
import { storeMetrics, storeMetricsWithRevenue } from '../scenarios/index.ts';
import { backfillView } from './backfill-view.ts';

/**
 * Settings of the "change a rollup" demo.
 *
 * @example
 * ```ts
 * const settings: ChangeRollupSettings = { segments: 2, chunkItems: 50, autoPromote: false };
 * ```
 */
export interface ChangeRollupSettings {
  /** Parallel scan segments of the backfill (default 2). */
  segments?: number;
  /** Items per backfill chunk (default 100: progress moves visibly on a dev stack's few thousand items). */
  chunkItems?: number;
  /** Promote as soon as the backfill completes (default false: a button, or `dynotally rollups promote store 2`). */
  autoPromote?: boolean;
  /** How long the serving reads trust a control item read, and how often the page's state is re-read (default 1 s). */
  refreshMs?: number;
}

/**
 * What the dev stack gives the demo.
 *
 * @example
 * ```ts
 * const options: ChangeRollupDemoOptions = { client, tables, claimTable: 'dynotally-claims', worker: (lt, rs) => base(lt, rs) };
 * ```
 */
export interface ChangeRollupDemoOptions extends ChangeRollupSettings {
  client: DynamoDBClient;
  tables: { source: string; aggregate: string; leases: string };
  /** The claim table the backfill and the new version's stream side share (created on start). */
  claimTable: string;
  /** The options of a dev-stack worker on its own lease table (the stack's `base`). */
  worker: (leaseTable: string, rollups: readonly Rollup[]) => StreamWorkerOptions;
  /** S4's Redis live source, merged into the serving reads (version 1's unflushed buckets). */
  liveSource?: LiveSource | undefined;
  log?: (line: string) => void;
}

/**
 * The running demo: the dashboard's control plus what the dev stack needs to quiesce and stop it.
 *
 * @example
 * ```ts
 * const demo: ChangeRollupDemo = createChangeRollupDemo(options);
 * await demo.start();
 * await demo.settled(); // ready (or serving with autoPromote), or failed
 * ```
 */
export interface ChangeRollupDemo extends ChangeRollupControl {
  /** True when the new version's worker (if started) has nothing in flight. */
  idle(): boolean;
  /** Resolves when the run reaches `ready`, `serving` or `failed` (at once when it never started). */
  settled(): Promise<void>;
  /** Stops the backfill (resumable), the poller, the new version's worker and the serving reads. */
  stop(): Promise<void>;
}

const V2_LEASES_SUFFIX = '-store-revenue';
const READY_TIMEOUT_MS = 180_000;

/**
 * The dev stack's "change a rollup" demo, with the library's public functions only. `start()`:
 * 1. creates the claim table and registers S4's changed definition ({@link storeMetricsWithRevenue}, + revenue)
 *    beside the running one — the same registration a stream side deployed with both definitions performs
 *    (version 1 serving, version 2 building);
 * 2. starts a stream worker for version 2 on its own lease table (`createVersionedWriteSide` with only the new
 *    definition, from the stream's end: the past is the backfill's) and waits until it reads every shard, so
 *    every change from then on is folded into version 2;
 * 3. runs `runBackfill` over the source table while the generators keep writing (per-item claims decide which
 *    side counts each item), its progress in {@link ChangeRollupView.backfill};
 * 4. `ready`: `promote()` (or `dynotally rollups promote store 2`, which the poller notices) switches reads.
 * S4's panel reads `'store'` by name through `createServingQueryClient` from step 1 on, so it shows version 1
 * (with its Redis buffer merged) until the promotion and version 2 — with revenue and its history — after.
 *
 * @example
 * ```ts
 * const demo = createChangeRollupDemo({ client, tables, claimTable: 'dynotally-claims', worker: base });
 * await demo.start();
 * await demo.settled();
 * await demo.promote();
 * ```
 */
export function createChangeRollupDemo(options: ChangeRollupDemoOptions): ChangeRollupDemo {
  const log = options.log ?? (() => {});
  const refreshMs = options.refreshMs ?? 1_000;
  const fpV2 = storeMetricsWithRevenue.compiled.fingerprint;
  let phase: ChangeRollupPhase = 'idle';
  let control: ControlItem | undefined;
  let progress: BackfillProgress | undefined;
  let error: string | undefined;
  let worker: StreamWorker | undefined;
  let reads: (QueryClient & { refresh(): Promise<void> }) | undefined;
  let poller: NodeJS.Timeout | undefined;
  let run: Promise<void> = Promise.resolve();
  const times: { startedAt?: number; readyAt?: number; promotedAt?: number } = {};
  const abort = new AbortController();

  const v2 = () => control?.versions.find((v) => v.fingerprint === fpV2);
  const pollControl = async (): Promise<void> => {
    control = await readControl(options.client, options.tables.aggregate, 'store');
    const mine = v2();
    if (mine !== undefined && control?.serving === mine.version && phase !== 'serving') {
      await reads?.refresh(); // promoted elsewhere (dynotally rollups promote): reads follow at once
      phase = 'serving';
      times.promotedAt = mine.promotedAt ?? Date.now();
    }
  };

  const waitForStream = async (w: StreamWorker): Promise<void> => {
    const started = Date.now();
    for (;;) {
      const s = w.stats();
      // Every shard leased and read at least once: records from here on are folded into version 2.
      if (
        s.state === 'running' &&
        s.leasesHeld > 0 &&
        s.heldByOthers === 0 &&
        s.shards.length > 0 &&
        s.shards.every((sh) => sh.caughtUp || sh.records > 0)
      )
        return;
      if (Date.now() - started > READY_TIMEOUT_MS)
        throw new Error(
          `version 2's stream worker did not read its shards within ${READY_TIMEOUT_MS / 1000} s`,
        );
      if (abort.signal.aborted) throw new Error('stopped');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const promote = async (): Promise<ChangeRollupView> => {
    await pollControl();
    const mine = v2();
    if (phase === 'serving' || mine === undefined) return view();
    if (phase !== 'ready')
      throw new Error(`version 2 cannot be promoted while ${phase}: wait until it is ready`);
    phase = 'promoting';
    try {
      control = await promoteVersion(options.client, options.tables.aggregate, 'store', mine.version);
      await reads?.refresh();
      phase = 'serving';
      times.promotedAt = Date.now();
      log(`change a rollup: version ${mine.version} of 'store' serves (revenue)`);
    } catch (e) {
      phase = 'ready';
      throw e;
    }
    return view();
  };

  const steps = async (): Promise<void> => {
    const { client, tables } = options;
    phase = 'registering';
    await createClaimTable(client, options.claimTable);
    // Registration as a stream side deployed with both definitions does it on its first batch: version 1 (the
    // running definition) serving, version 2 building. This side is used for nothing else (it would write
    // version 1 a second time beside the dev stack's own worker).
    await createVersionedWriteSide({
      client,
      table: tables.aggregate,
      claimTable: options.claimTable,
      rollups: [storeMetrics, storeMetricsWithRevenue],
    }).apply({ records: [] });
    reads = createServingQueryClient({
      client,
      table: tables.aggregate,
      rollups: [storeMetrics, storeMetricsWithRevenue],
      refreshMs,
      ...(options.liveSource === undefined ? {} : { liveSource: options.liveSource }),
    });
    await pollControl();
    poller = setInterval(() => {
      pollControl().catch((e: unknown) => log(`change a rollup: control read: ${(e as Error).message ?? e}`));
    }, refreshMs);

    phase = 'starting-stream';
    const leaseTable = `${tables.leases}${V2_LEASES_SUFFIX}`;
    await createLeaseTable(client, leaseTable);
    const {
      mode: _m,
      strategy: _s,
      concurrency: _c,
      retry: _r,
      ...base
    } = options.worker(leaseTable, [storeMetricsWithRevenue]);
    worker = createStreamWorker({
      ...base,
      startingPosition: 'LATEST',
      applier: createVersionedWriteSide({
        client,
        table: tables.aggregate,
        claimTable: options.claimTable,
        rollups: [storeMetricsWithRevenue],
      }),
    });
    await worker.start();
    await waitForStream(worker);

    phase = 'backfilling';
    const report = await runBackfill({
      client,
      source: tables.source,
      table: tables.aggregate,
      claimTable: options.claimTable,
      rollup: storeMetricsWithRevenue,
      segments: options.segments ?? 2,
      chunkItems: options.chunkItems ?? 100,
      settleMs: 0, // the worker above reads every shard already (waitForStream)
      signal: abort.signal,
      onProgress: (p) => {
        progress = p;
      },
    });
    progress = report.progress;
    if (!report.complete) throw new Error('the backfill stopped before it completed');
    await pollControl();
    phase = 'ready';
    times.readyAt = Date.now();
    log(
      `change a rollup: version 2 of 'store' is built (${plural(report.progress.scanned, 'item')} scanned); promote it on the dashboard or with: dynotally rollups promote store 2`,
    );
    if (options.autoPromote === true) await promote();
  };

  const view = (): ChangeRollupView => ({
    rollup: 'store',
    measure: 'revenue',
    phase,
    version: v2()?.version ?? null,
    versions: (control?.versions ?? []).map((v) => ({
      version: v.version,
      state: v.state,
      serving: control?.serving === v.version,
    })),
    backfill: backfillView(progress),
    streamRecords: worker?.stats().records ?? null,
    startedAt: times.startedAt ?? null,
    readyAt: times.readyAt ?? null,
    promotedAt: times.promotedAt ?? null,
    error: error ?? null,
  });

  return {
    view,
    async start() {
      if (phase !== 'idle') return view();
      times.startedAt = Date.now();
      log("change a rollup: adding 'revenue' to S4 (version 2 of 'store')");
      run = steps().catch((e: unknown) => {
        if (abort.signal.aborted) return;
        phase = 'failed';
        error = (e as Error).message ?? String(e);
        log(`change a rollup failed: ${error}`);
      });
      return view();
    },
    promote,
    s4Reads: () => reads,
    idle: () => worker === undefined || worker.stats().idle,
    settled: async () => {
      await run;
    },
    async stop() {
      abort.abort();
      clearInterval(poller);
      await run;
      await worker?.stop();
      reads?.close();
    },
  };
}

// Suite 2: end to end on DynamoDB Local. The workload is written to a source table with a stream
// (BatchWriteItem), the stream is read once, and then every contender consumes the SAME records, batch by
// batch, each into its own fresh tables — timed per batch, metered per write, checked against the oracle.
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { ApplyReport } from '../../packages/dynotally/src/apply/index.ts';
import { localClientConfig, localStreamsClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { readStreamRecords, type ShardRecords } from '../../packages/dynotally/src/streams/index.ts';
import { createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { type Canonical, computeOracle, diffCanonical } from '../oracle/index.ts';
import { DEFAULT_SEED, finalItems, generateWorkload } from '../workload/index.ts';
import { BENCH_CLIENT_TIMEOUTS } from './bench-timeouts.ts';
import { ownCpuMs, processCpuMs } from './cpu-time.ts';
import { E2E_CONTENDERS, type E2eContenderId, e2eContender } from './e2e-contenders.ts';
import { freshnessOf } from './freshness.ts';
import { enableImageStream, priceStreamImages } from './image-pricing.ts';
import { type LoadSourceResult, loadSource } from './load-source.ts';
import { type ReplaySample, replay, streamPrefix } from './replay.ts';
import { itemsAfter } from './stream-items.ts';
import { meterWrites } from './write-meter.ts';

/** On-demand price of a million write request units (us-east-1). */
export const DOLLARS_PER_MILLION_WRITE_UNITS = 0.625;

/** One contender at one batch size, over the first `events` stream records. */
export interface E2eCellPlan {
  contender: E2eContenderId;
  batchSize: number;
  events: number;
}

/** Options for {@link runE2eBench}. */
export interface E2eOptions {
  /** A DynamoDB Local endpoint. */
  endpoint: string;
  /** DynamoDB Local's process id, to measure its CPU time per event (Linux); omit to skip. */
  serverPid?: number;
  /** Events written to the source table (operations: inserts, 5% modifies, 5% removes). */
  events: number;
  cells: readonly E2eCellPlan[];
  seed?: number;
  /**
   * Untimed records each contender first replays into a throw-away table (default 300), so neither
   * the DynamoDB Local JVM's JIT nor node's favours whichever contender happens to run later.
   */
  warmupEvents?: number;
  /**
   * Untimed records replayed first, at 1,000 a batch, through dynotally on `UpdateItem` and on PartiQL (default
   * 0): the DynamoDB Local JVM compiles its write paths over its first tens of thousands of writes, and in a run
   * without this the first timed cell paid for it (1.39 ms of the store's CPU per row against 0.57–0.73 for the
   * same rows later in the run, 2026-12-02), whichever contender it was.
   */
  serverWarmupEvents?: number;
  /** Prefix of every table the run creates (default `bench-<time>`). */
  tablePrefix?: string;
  /**
   * `images`: the aggregate tables of PartiQL contenders get a stream, and their writes are priced from its
   * images; `off`: no such stream (DynamoDB Local writes stream records slowly, so a speed run goes without),
   * and a PartiQL contender's write units are the Applier's own estimate (`metering: 'estimated'`). Default:
   * `off` when the environment has `BENCH_PRICING=off`, else `images`.
   */
  pricing?: 'images' | 'off';
  log?: (line: string) => void;
}

/** What one contender did at one batch size. */
export interface E2eCell extends E2eCellPlan {
  label: string;
  settings: string;
  /** `events` is a prefix of the stream, not all of it. */
  prefix: boolean;
  batches: number;
  largestBatch: number;
  /** Duration of every batch, in order, ms (rates over a prefix of the cell's events come from these). */
  batchMs: number[];
  /**
   * After every batch, from the cell's start: this process's CPU, DynamoDB Local's CPU (when measured) and the
   * write units (when known batch by batch: not for priced cells), so figures over the events a baseline
   * consumed compare on the same events.
   */
  batchClientCpuMs?: number[];
  batchServerCpuMs?: number[];
  batchWriteUnits?: number[];
  seconds: number;
  eventsPerSecond: number;
  writes: number;
  writesPerEvent: number;
  requestsPerEvent: number;
  writeUnits: number;
  writeUnitsPerEvent: number;
  dollarsPerMillionEvents: number;
  freshnessP50Ms: number;
  freshnessP99Ms: number;
  /** CPU time of this process (the contender: decode, fold, SDK, HTTP) per event, ms. */
  clientCpuMsPerEvent: number;
  /** CPU time of DynamoDB Local per event, ms (when its pid was given): the store's side of the work. */
  serverCpuMsPerEvent?: number;
  /** Write units by the Applier's own `ApplyReport` (dynotally only), as a cross-check of the meter. */
  applierWriteUnits?: number;
  /**
   * min / max / last values the Applier's own `ApplyReport` says it wrote (dynotally only): the meter's
   * extremum writes count every one sent, so the two are equal unless some were sent twice (a retry, or a
   * PartiQL statement that fell back to `UpdateItem`).
   */
  applierExtremaWritten?: number;
  /** Retries the Applier made (dynotally only): a retried write is sent, and metered, more than once. */
  applierRetries?: number;
  /**
   * Reads the Applier made of rows it just wrote, to learn their exactly-once state (dynotally's PartiQL path:
   * sampled rows read back with `BatchGetItem`), and the read units DynamoDB Local reported for them. Not in
   * `writeUnits` or the dollar figure.
   */
  applierReadRequests?: number;
  applierReadUnits?: number;
  /**
   * How `writeUnits` was found: `reported` — the store's `ConsumedCapacity` (UpdateItem, transactions);
   * `priced` — each write that changed an item priced from its images on the table's stream (larger of before
   * and after per started KB, index writes added), each refused write from the item its answer returned
   * (DynamoDB Local reports no consumed capacity for PartiQL); `estimated` — a run without pricing streams
   * (`pricing: 'off'`) in which the contender wrote PartiQL: the Applier's own report (its cost model on the
   * item sizes it knows), since what the meter saw is incomplete.
   */
  metering: 'reported' | 'priced' | 'estimated';
  /** Priced cells whose writes DynamoDB Local did report (UpdateItem): what it reported, to set beside `writeUnits`. */
  reportedWriteUnits?: number;
  /** Priced cells: item changes on the stream, and successful writes sent (equal unless a write changed nothing). */
  streamChanges?: number;
  successfulWrites?: number;
  /** min / max / last writes per event, and the requests that carried them per event. */
  extremumWritesPerEvent: number;
  extremumRequestsPerEvent: number;
  /** Final aggregates equal the oracle's. */
  correct: boolean;
  wrongAggregates: number;
  firstDifference?: string;
  /** Set when the contender threw; the cell's figures are then meaningless. */
  error?: string;
}

/** The suite's figures. */
export interface E2eResult {
  events: number;
  seed: number;
  streamRecords: number;
  shards: number;
  load: LoadSourceResult;
  streamReadSeconds: number;
  /** The stream's records leave exactly the workload's final items (checked through the oracle). */
  streamMatchesWorkload: boolean;
  /** Untimed records replayed before the cells: through each contender, and to warm DynamoDB Local's JVM. */
  warmup: { perContender: number; server: number };
  cells: E2eCell[];
}

/**
 * Events consumed per contender and batch size (100 / 1,000 / 10,000). Full: 100,000 events in the
 * stream; dynotally exactly-once (row-watermark), the headline, consumes all of them at 1,000 and
 * 10,000 a batch; everything else a prefix of the same stream, sized so the run fits in about 20
 * minutes on DynamoDB Local (some 700 item writes/s): naive and Powertools write six to eight items an
 * event, so they get 3,000 events (10,000 at 10,000 a batch: one full batch). Quick: 3,000 events. The variants
 * (UpdateItem path, SDK retries off, with max/last) get a prefix at 100 a batch or none.
 */
const PLAN: Record<
  'full' | 'quick',
  {
    events: number;
    warmupEvents: number;
    serverWarmupEvents: number;
    cells: Record<E2eContenderId, [number, number, number]>;
  }
> = {
  full: {
    events: 100_000,
    warmupEvents: 300,
    serverWarmupEvents: 20_000,
    cells: {
      'eo-row': [5_000, 100_000, 100_000],
      'eo-row-ui': [5_000, 10_000, 10_000],
      'eo-row-sdk1': [5_000, 10_000, 10_000],
      'eo-row-x': [0, 10_000, 10_000],
      'eo-row-x-ui': [0, 10_000, 10_000],
      'eo-tx': [5_000, 5_000, 10_000],
      alo: [5_000, 5_000, 10_000],
      naive: [3_000, 3_000, 10_000],
      powertools: [3_000, 3_000, 10_000],
    },
  },
  quick: {
    events: 3_000,
    warmupEvents: 100,
    serverWarmupEvents: 3_000,
    cells: {
      'eo-row': [1_000, 3_000, 3_000],
      'eo-row-ui': [1_000, 3_000, 3_000],
      'eo-row-sdk1': [0, 3_000, 3_000],
      'eo-row-x': [0, 3_000, 3_000],
      'eo-row-x-ui': [0, 3_000, 3_000],
      'eo-tx': [1_000, 3_000, 3_000],
      alo: [1_000, 3_000, 3_000],
      naive: [500, 1_000, 1_000],
      powertools: [500, 1_000, 1_000],
    },
  },
};

/** The stream batch sizes of the suite: Lambda's default, a common setting, Lambda's maximum. */
export const E2E_BATCH_SIZES = [100, 1_000, 10_000] as const;

/**
 * The cells of a full or quick run, batch size by batch size.
 *
 * @example
 * ```ts
 * const { events, cells } = e2ePlan('quick');
 * ```
 */
export function e2ePlan(size: 'full' | 'quick'): {
  events: number;
  warmupEvents: number;
  serverWarmupEvents: number;
  cells: E2eCellPlan[];
} {
  const { events, warmupEvents, serverWarmupEvents, cells } = PLAN[size];
  return {
    events,
    warmupEvents,
    serverWarmupEvents,
    cells: E2E_BATCH_SIZES.flatMap((batchSize, i) =>
      E2E_CONTENDERS.map((contender) => ({ contender, batchSize, events: cells[contender][i] as number })),
    ).filter((c) => c.events > 0),
  };
}

/**
 * Runs the end-to-end suite against a DynamoDB Local.
 *
 * @example
 * ```ts
 * const result = await runE2eBench({ endpoint, ...e2ePlan('quick') });
 * ```
 */
export async function runE2eBench(options: E2eOptions): Promise<E2eResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? DEFAULT_SEED;
  const prefix = options.tablePrefix ?? `bench-${Date.now().toString(36)}`;
  const ddb = new DynamoDBClient(localClientConfig(options.endpoint));
  const streams = new DynamoDBStreamsClient(localStreamsClientConfig(options.endpoint));
  try {
    const ops = generateWorkload({ seed, events: options.events });
    const sourceTable = `${prefix}-source`;
    const streamArn = await createSourceTable(ddb, sourceTable);
    const load = await loadSource(ddb, sourceTable, ops);
    log(
      `source: ${ops.length} operations written in ${load.seconds.toFixed(1)} s (${Math.round(load.operationsPerSecond)}/s)`,
    );
    const readStart = performance.now();
    const shards = await readStreamRecords(streams, streamArn);
    const streamReadSeconds = (performance.now() - readStart) / 1000;
    const all = shards.flatMap((s) => s.records);
    log(
      `stream: ${all.length} records in ${shards.length} shard(s), read in ${streamReadSeconds.toFixed(1)} s`,
    );

    const fullExpected = computeOracle(finalItems(ops));
    const streamMatchesWorkload = diffCanonical(fullExpected, computeOracle(itemsAfter(all))).length === 0;
    const expectedCache = new Map<number, Canonical>([[all.length, fullExpected]]);
    const expectedFor = (n: number): Canonical => {
      let e = expectedCache.get(n);
      if (e === undefined) {
        e = computeOracle(itemsAfter(all.slice(0, n)));
        expectedCache.set(n, e);
      }
      return e;
    };

    const ctx: CellContext = {
      pricingOff: (options.pricing ?? (process.env.BENCH_PRICING === 'off' ? 'off' : 'images')) === 'off',
      endpoint: options.endpoint,
      serverPid: options.serverPid,
      shards,
      streamLength: all.length,
      expectedFor,
    };
    const serverWarmup = Math.min(options.serverWarmupEvents ?? 0, all.length);
    for (const id of ['eo-row-ui', 'eo-row'] as const) {
      if (serverWarmup === 0) break;
      const warmPrefix = `${prefix}-jvm-${id}-`;
      const cell = await runCell(
        { contender: id, batchSize: 1_000, events: serverWarmup },
        `${warmPrefix}agg`,
        ctx,
      );
      log(`DynamoDB Local warm-up: ${describeCell(cell)}`);
      await dropTables(ddb, warmPrefix);
    }
    const warmup = Math.min(options.warmupEvents ?? 300, all.length);
    for (const id of new Set(options.cells.map((c) => c.contender))) {
      if (warmup === 0) break;
      const warmPrefix = `${prefix}-warm-${id}-`;
      const cell = await runCell({ contender: id, batchSize: 100, events: warmup }, `${warmPrefix}agg`, ctx);
      log(`warm-up ${describeCell(cell)}`);
      await dropTables(ddb, warmPrefix);
    }

    const cells: E2eCell[] = [];
    for (const plan of options.cells) {
      const cellPrefix = `${prefix}-${plan.contender}-b${plan.batchSize}`;
      const cell = await runCell(plan, `${cellPrefix}-agg`, ctx);
      cells.push(cell);
      log(describeCell(cell));
      await dropTables(ddb, `${cellPrefix}-`);
    }
    await dropTables(ddb, sourceTable);
    return {
      events: options.events,
      seed,
      streamRecords: all.length,
      shards: shards.length,
      load,
      streamReadSeconds,
      streamMatchesWorkload,
      warmup: { perContender: warmup, server: serverWarmup },
      cells,
    };
  } finally {
    ddb.destroy();
    streams.destroy();
  }
}

/** What every cell of a run shares. */
interface CellContext {
  pricingOff: boolean;
  endpoint: string;
  serverPid: number | undefined;
  shards: readonly ShardRecords[];
  streamLength: number;
  expectedFor: (n: number) => Canonical;
}

async function runCell(plan: E2eCellPlan, tableBase: string, ctx: CellContext): Promise<E2eCell> {
  const { endpoint, serverPid, shards, streamLength, expectedFor, pricingOff } = ctx;
  const spec = e2eContender(plan.contender);
  const events = Math.min(plan.events, streamLength);
  const input = streamPrefix(shards, events);
  const client = new DynamoDBClient({
    ...localClientConfig(endpoint, BENCH_CLIENT_TIMEOUTS),
    ...spec.client,
  });
  const streams = new DynamoDBStreamsClient(localStreamsClientConfig(endpoint));
  // pricing off: no image stream (DynamoDB Local writes stream records slowly), write units as reported
  const imageTables = pricingOff ? [] : (spec.imageTables?.(tableBase) ?? []);
  const meter = meterWrites(client, {
    imageTables: new Set(imageTables),
    unpricedStatements: pricingOff,
  });
  const base = { ...plan, events, label: spec.label, settings: spec.settings, prefix: events < streamLength };
  try {
    const contender = spec.make(tableBase);
    await contender.setup(client);
    const arns = await Promise.all(imageTables.map((t) => enableImageStream(client, t)));
    meter.reset();
    const cpu0 = ownCpuMs();
    const server0 = serverPid === undefined ? undefined : processCpuMs(serverPid);
    const applierUnits = () =>
      'totals' in contender && typeof contender.totals === 'function'
        ? (contender.totals() as { writeUnits: number }).writeUnits
        : undefined;
    const run = await replay(contender, input, plan.batchSize, () => ({
      clientCpuMs: ownCpuMs(),
      serverCpuMs: serverPid === undefined ? undefined : processCpuMs(serverPid),
      // priced cells know their units only once the image streams are read
      writeUnits: imageTables.length > 0 ? undefined : (applierUnits() ?? meter.totals().writeUnits),
    }));
    const clientCpuMs = ownCpuMs() - cpu0;
    const server1 = serverPid === undefined ? undefined : processCpuMs(serverPid);
    const serverCpuMs = server0 === undefined || server1 === undefined ? undefined : server1 - server0;
    const totals = meter.totals();
    let imageUnits = 0;
    let streamChanges = 0;
    for (const arn of arns) {
      const priced = await priceStreamImages(streams, arn);
      imageUnits += priced.writeUnits;
      streamChanges += priced.changes;
    }
    const priced = imageTables.length > 0;
    const freshness = freshnessOf(run.batches);
    const wrong = diffCanonical(expectedFor(events), await contender.readCanonical(client));
    const applierTotals =
      'totals' in contender && typeof contender.totals === 'function'
        ? (contender.totals() as Pick<
            ApplyReport,
            'writeUnits' | 'extremaWritten' | 'retries' | 'readRequests' | 'readUnits'
          >)
        : undefined;
    const applierWriteUnits = applierTotals?.writeUnits;
    // PartiQL writes left unpriced (no image stream): the meter's units are incomplete, the Applier's stand in
    const estimated = totals.unpricedWrites > 0;
    if (estimated && applierWriteUnits === undefined)
      throw new Error(
        `${plan.contender}: PartiQL writes unpriced and no Applier report to estimate them from`,
      );
    const writeUnits = estimated ? (applierWriteUnits as number) : totals.writeUnits + imageUnits;
    const series = (pick: (x: ReplaySample) => number | undefined): number[] | undefined => {
      const out = run.samples.map(pick);
      return out.every((v) => v !== undefined) ? out.map((v) => Math.round(v * 10) / 10) : undefined;
    };
    const unitSeries = series((x) => x.writeUnits);
    // kept only when it adds up to the cell's own figure (else it measured something else)
    const unitsAddUp =
      unitSeries !== undefined && Math.abs((unitSeries.at(-1) ?? 0) - writeUnits) <= 0.005 * writeUnits + 1;
    return {
      ...base,
      batches: run.batches.length,
      batchMs: run.batches.map((b) => Math.round((b.endMs - b.startMs) * 10) / 10),
      batchClientCpuMs: series((x) => x.clientCpuMs),
      ...(serverPid === undefined ? {} : { batchServerCpuMs: series((x) => x.serverCpuMs) }),
      ...(unitsAddUp ? { batchWriteUnits: unitSeries } : {}),
      largestBatch: Math.max(...run.batches.map((b) => b.records)),
      seconds: run.seconds,
      eventsPerSecond: run.records / run.seconds,
      writes: totals.writes,
      writesPerEvent: totals.writes / run.records,
      requestsPerEvent: totals.requests / run.records,
      writeUnits,
      writeUnitsPerEvent: writeUnits / run.records,
      dollarsPerMillionEvents: (writeUnits / run.records) * DOLLARS_PER_MILLION_WRITE_UNITS,
      metering: priced ? 'priced' : estimated ? 'estimated' : 'reported',
      // DynamoDB Local reported every successful write (no PartiQL): its figure, beside the priced one
      ...(priced && totals.statements === 0
        ? { reportedWriteUnits: totals.writeUnits + totals.reportedImageUnits }
        : {}),
      ...(priced ? { streamChanges, successfulWrites: totals.imageWrites } : {}),
      extremumWritesPerEvent: totals.extremumWrites / run.records,
      extremumRequestsPerEvent: totals.extremumRequests / run.records,
      freshnessP50Ms: freshness.p50,
      freshnessP99Ms: freshness.p99,
      clientCpuMsPerEvent: clientCpuMs / run.records,
      ...(serverCpuMs === undefined ? {} : { serverCpuMsPerEvent: serverCpuMs / run.records }),
      ...(applierTotals === undefined
        ? {}
        : {
            applierWriteUnits,
            applierExtremaWritten: applierTotals.extremaWritten,
            applierRetries: applierTotals.retries,
            applierReadRequests: applierTotals.readRequests,
            applierReadUnits: applierTotals.readUnits,
          }),
      correct: wrong.length === 0,
      wrongAggregates: wrong.length,
      ...(wrong[0]
        ? { firstDifference: `${wrong[0].key}: expected ${wrong[0].expected}, got ${wrong[0].actual}` }
        : {}),
    };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ...base,
      batches: 0,
      batchMs: [],
      largestBatch: 0,
      seconds: 0,
      eventsPerSecond: 0,
      writes: 0,
      writesPerEvent: 0,
      requestsPerEvent: 0,
      writeUnits: 0,
      writeUnitsPerEvent: 0,
      dollarsPerMillionEvents: 0,
      freshnessP50Ms: 0,
      freshnessP99Ms: 0,
      clientCpuMsPerEvent: 0,
      metering: imageTables.length > 0 ? 'priced' : 'reported',
      extremumWritesPerEvent: 0,
      extremumRequestsPerEvent: 0,
      correct: false,
      wrongAggregates: 0,
      error: message,
    };
  } finally {
    client.destroy();
    streams.destroy();
  }
}

function describeCell(c: E2eCell): string {
  const head = `${c.contender} @${c.batchSize}: ${c.events} events`;
  if (c.error !== undefined) return `${head}: FAILED ${c.error}`;
  return `${head} in ${c.seconds.toFixed(1)} s, ${Math.round(c.eventsPerSecond)} events/s, ${c.writeUnitsPerEvent.toFixed(2)} WU/event, ${c.correct ? 'correct' : `WRONG (${c.wrongAggregates} aggregates)`}`;
}

/** Deletes every table whose name starts with `prefix` (DynamoDB Local keeps them in memory). */
async function dropTables(client: DynamoDBClient, prefix: string): Promise<void> {
  let start: string | undefined;
  const names: string[] = [];
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []).filter((n) => n.startsWith(prefix)));
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  await Promise.all(names.map((TableName) => client.send(new DeleteTableCommand({ TableName }))));
}

// The buffered contender: the S4 store metrics through the Redis write buffer (15-minute buckets of arrival
// time, flushed as they close) beside the direct exactly-once applier — on its default PartiQL path and on
// UpdateItem — on the same workload and in the same run: write units per event and events per second, all
// checked against the oracle.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { Redis } from 'ioredis';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { localClientConfig, localStreamsClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { startRedisServer } from '../../packages/dynotally/src/local/redis-server.ts';
import {
  type BufferedApplierOptions,
  bucketId,
  createBufferedApplier,
  createFlusher,
  DEFAULT_BUCKET_MS,
} from '../../packages/dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanRollupCanonical } from '../contenders/dynotally.ts';
import { computeOracle, diffCanonical } from '../oracle/index.ts';
import {
  DEFAULT_SEED,
  finalItems,
  generateWorkload,
  recordBatches,
  workloadStreamRecords,
} from '../workload/index.ts';
import { BENCH_CLIENT_TIMEOUTS } from './bench-timeouts.ts';
import { enableImageStream, priceStreamImages } from './image-pricing.ts';
import { benchStoreRollup } from './s4-rollup.ts';
import { meterWrites } from './write-meter.ts';

/** The issue's cost target for buffered mode. */
export const BUFFERED_TARGET_WRITE_UNITS_PER_EVENT = 0.2;

/** Options of {@link runBufferedBench}. */
export interface BufferedBenchOptions {
  /** DynamoDB Local endpoint. */
  endpoint: string;
  /** A Redis to buffer in; default: a throw-away `redis-server` started (and stopped) by the bench. */
  redisUrl?: string;
  /** Stream records; default 40,000 (with the default span: a busy hour, about 10,000 events per 15-minute bucket). */
  events?: number;
  /** Records per batch (Lambda's default is 100); default 100. */
  batchSize?: number;
  /** Flush bucket width (ms of arrival time); default 15 minutes (S4). */
  bucketMs?: number;
  /**
   * Wider buckets for some row kinds (see `BufferedApplierOptions.rowBucketMs`); default `{ month: 1 h, all: 1 h }`
   * (S4's month and all-time rows flushed hourly, hour rows every 15 minutes). `{}` for one width for all rows.
   */
  rowBucketMs?: BufferedApplierOptions['rowBucketMs'];
  /**
   * Simulated time the events arrive over; default 1 hour. The workload's own default (7 days 8 hours) spreads
   * 40,000 events so thin that a store sees about one event per bucket and buffering cannot coalesce anything.
   */
  spanMs?: number;
  stores?: number;
  seed?: number;
  /** Parallel UpdateItems of the flusher and of the direct applier on UpdateItem; default 32. */
  concurrency?: number;
  /**
   * Requests in flight of the direct applier on PartiQL (each up to 25 statements); default 8, as in the
   * end-to-end suite (32 × 25 rows queued at DynamoDB Local outlasted the 30 s attempt timeout under load).
   */
  partiqlConcurrency?: number;
  /**
   * The write paths the direct applier runs on, one direct run each; default both: `partiql` (the
   * library's default) and `update-item` (the path of the earlier figures).
   */
  directApis?: readonly WriteApi[];
  /** Skip the direct runs (to explore bucket widths quickly); default false. */
  skipDirect?: boolean;
  /**
   * `images` (default): every table of the run gets a `NEW_AND_OLD_IMAGES` stream and its successful writes
   * are priced from the images (DynamoDB Local reports no consumed capacity for PartiQL), so all modes run
   * under the same conditions. `reported`: no streams (faster on DynamoDB Local), write units as the store
   * reports them; the PartiQL direct mode's units are then the Applier's own cost-model estimate.
   */
  pricing?: 'images' | 'reported';
  /** Table name prefix; default `bench-buf-<time>`. */
  tablePrefix?: string;
  log?: (line: string) => void;
}

/** One mode's figures. */
export interface BufferedBenchMode {
  label: string;
  /** Item writes and write units sent to DynamoDB (see `metering`). */
  writes: number;
  writeUnits: number;
  writeUnitsPerEvent: number;
  /** Requests sent to DynamoDB (each `UpdateItem`, `BatchExecuteStatement`, read) per event. */
  requestsPerEvent: number;
  /**
   * How `writeUnits` was found: `priced` — each write that changed an item priced from its images on the
   * table's stream, each refused write from the item its answer returned; `reported` — the store's
   * `ConsumedCapacity`; `estimated` — the Applier's own report (its cost model for PartiQL statements).
   */
  metering: 'priced' | 'reported' | 'estimated';
  /** Priced modes whose writes DynamoDB Local did report (no PartiQL): what it reported, beside `writeUnits`. */
  reportedWriteUnits?: number;
  /** Wall time of the whole run (applies, and for buffered mode the flushes too). */
  seconds: number;
  eventsPerSecond: number;
  /** The aggregates equal the oracle's after the run. */
  correct: boolean;
  wrongAggregates: number;
}

/** The result of {@link runBufferedBench}. */
export interface BufferedBenchResult {
  events: number;
  batchSize: number;
  bucketMs: number;
  rowBucketMs?: BufferedApplierOptions['rowBucketMs'];
  spanMs: number;
  stores: number;
  seed: number;
  /** The direct applier on its default path (PartiQL); undefined with `skipDirect` or without `partiql` in `directApis`. */
  direct: BufferedBenchMode | undefined;
  /** The direct applier on UpdateItem (`write: { api: 'update-item' }`), when `directApis` has it. */
  directUpdateItem?: BufferedBenchMode;
  pricing: 'images' | 'reported';
  buffered: BufferedBenchMode & {
    /** Time in `apply` (Redis) and in flushes (DynamoDB). */
    applySeconds: number;
    flushSeconds: number;
    flushes: number;
    bucketsFlushed: number;
    /** Peak `used_memory` of Redis during the run (bytes). */
    peakRedisBytes: number;
  };
  targetWriteUnitsPerEvent: number;
  meetsTarget: boolean;
}

/**
 * Runs the S4 workload on DynamoDB Local direct (the exactly-once row-watermark applier, on PartiQL and on
 * UpdateItem) and buffered (Redis buckets flushed as they close, the clock following the records' arrival
 * time), and reports write units per event and events per second for each, with an oracle check of every table.
 *
 * @example
 * ```ts
 * const r = await runBufferedBench({ endpoint, events: 50_000, spanMs: 6 * 3_600_000 });
 * console.log(r.direct?.writeUnitsPerEvent, r.buffered.writeUnitsPerEvent);
 * ```
 */
export async function runBufferedBench(options: BufferedBenchOptions): Promise<BufferedBenchResult> {
  const log = options.log ?? (() => {});
  const events = options.events ?? 40_000;
  const batchSize = options.batchSize ?? 100;
  const bucketMs = options.bucketMs ?? DEFAULT_BUCKET_MS;
  const spanMs = options.spanMs ?? 3_600_000;
  const rowBucketMs = options.rowBucketMs ?? { month: 3_600_000, all: 3_600_000 };
  const stores = options.stores ?? 1_000;
  const seed = options.seed ?? DEFAULT_SEED;
  const concurrency = options.concurrency ?? 32;
  const partiqlConcurrency = options.partiqlConcurrency ?? 8;
  const directApis = options.skipDirect ? [] : (options.directApis ?? (['partiql', 'update-item'] as const));
  const pricing = options.pricing ?? 'images';
  const prefix = options.tablePrefix ?? `bench-buf-${Date.now().toString(36)}`;
  const workload = { seed, events, spanMs, stores };
  const expected = computeOracle(finalItems(generateWorkload(workload)));
  const batches = () => recordBatches(workloadStreamRecords(workload), batchSize);
  const arrival = (records: readonly DynamoDBRecord[]) =>
    (records[records.length - 1]?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;

  const server = options.redisUrl === undefined ? await startRedisServer() : undefined;
  const redis = new Redis(options.redisUrl ?? (server as { url: string }).url);
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const c = new DynamoDBClient(localClientConfig(options.endpoint, BENCH_CLIENT_TIMEOUTS));
    clients.push(c);
    return c;
  };
  const streams = new DynamoDBStreamsClient(localStreamsClientConfig(options.endpoint));
  try {
    // direct: the exactly-once applier, on one write path
    async function runDirect(api: WriteApi): Promise<BufferedBenchMode> {
      const directTable = `${prefix}-direct-${api}`;
      const directClient = client();
      const metered = await meteredTable(directClient, streams, directTable, pricing);
      let now = 0;
      const direct = new Applier({
        client: directClient,
        table: directTable,
        rollups: [benchStoreRollup],
        concurrency: api === 'partiql' ? partiqlConcurrency : concurrency,
        now: () => now,
        write: { api },
      });
      metered.reset();
      let estimatedUnits = 0;
      const started = performance.now();
      for (const batch of batches()) {
        now = arrival(batch.records);
        const { report } = await direct.apply({ records: batch.records, shardId: batch.shardId });
        estimatedUnits += report.writeUnits;
      }
      const seconds = (performance.now() - started) / 1000;
      log(`direct ${api}: applied in ${seconds.toFixed(1)} s; pricing its writes from the stream`);
      const units = await metered.units();
      const wrong = diffCanonical(
        expected,
        await scanRollupCanonical(directClient, directTable, benchStoreRollup),
      );
      // Without image streams DynamoDB Local reports nothing for PartiQL: the Applier's own estimate stands in.
      const estimated = units.metering === 'reported' && api === 'partiql';
      const writeUnits = estimated ? estimatedUnits : units.writeUnits;
      return {
        label: `direct (exactly-once, row-watermark, ${api === 'partiql' ? 'PartiQL' : 'UpdateItem'})`,
        writes: units.writes,
        writeUnits,
        writeUnitsPerEvent: writeUnits / events,
        requestsPerEvent: units.requests / events,
        metering: estimated ? 'estimated' : units.metering,
        ...(units.reportedWriteUnits === undefined ? {} : { reportedWriteUnits: units.reportedWriteUnits }),
        seconds,
        eventsPerSecond: events / seconds,
        correct: wrong.length === 0,
        wrongAggregates: wrong.length,
      };
    }
    let clock = 0;
    const directModes = new Map<WriteApi, BufferedBenchMode>();
    for (const api of directApis) {
      const mode = await runDirect(api);
      directModes.set(api, mode);
      log(describe(mode));
    }

    // buffered: Redis buckets of arrival time, flushed as soon as they close
    const bufferedTable = `${prefix}-buffered`;
    const bufferedClient = client();
    const bufferedMeter = await meteredTable(bufferedClient, streams, bufferedTable, pricing);
    const keyPrefix = `${prefix}:{buffer}:`;
    const common = {
      redis,
      client: bufferedClient,
      table: bufferedTable,
      rollups: [benchStoreRollup],
      bucketMs,
      keyPrefix,
      now: () => clock,
    };
    const buffered = createBufferedApplier({ ...common, rowBucketMs });
    const flusher = createFlusher({ ...common, graceMs: 0, keepFlushedMs: 0, concurrency });
    bufferedMeter.reset();
    let applySeconds = 0;
    let flushSeconds = 0;
    let flushes = 0;
    let bucketsFlushed = 0;
    let peakRedisBytes = 0;
    let openBucket = Number.NEGATIVE_INFINITY;
    const flush = async (all: boolean) => {
      const t = performance.now();
      const report = await flusher.flushClosed({ all });
      flushSeconds += (performance.now() - t) / 1000;
      flushes++;
      bucketsFlushed += report.buckets;
    };
    const started = performance.now();
    for (const batch of batches()) {
      clock = arrival(batch.records);
      const bucket = bucketId(clock, bucketMs);
      if (bucket > openBucket) {
        if (openBucket !== Number.NEGATIVE_INFINITY) {
          peakRedisBytes = Math.max(peakRedisBytes, await usedMemory(redis));
          await flush(false);
        }
        openBucket = bucket;
      }
      const t = performance.now();
      await buffered.apply({ records: batch.records, shardId: batch.shardId });
      applySeconds += (performance.now() - t) / 1000;
    }
    peakRedisBytes = Math.max(peakRedisBytes, await usedMemory(redis));
    await flush(true);
    const bufferedSeconds = (performance.now() - started) / 1000;
    log(
      `buffered: applied and flushed in ${bufferedSeconds.toFixed(1)} s; pricing its writes from the stream`,
    );
    const bufferedUnits = await bufferedMeter.units();
    const bufferedWrong = diffCanonical(
      expected,
      await scanRollupCanonical(bufferedClient, bufferedTable, benchStoreRollup),
    );
    const bufferedMode = {
      label: `buffered (Redis, ${Math.round(bucketMs / 60_000)}-minute buckets${
        Object.keys(rowBucketMs).length > 0
          ? `, ${Object.entries(rowBucketMs)
              .map(([k, v]) => `${k} ${Math.round((v ?? 0) / 60_000)} min`)
              .join(', ')}`
          : ''
      })`,
      writes: bufferedUnits.writes,
      writeUnits: bufferedUnits.writeUnits,
      writeUnitsPerEvent: bufferedUnits.writeUnits / events,
      requestsPerEvent: bufferedUnits.requests / events,
      metering: bufferedUnits.metering,
      ...(bufferedUnits.reportedWriteUnits === undefined
        ? {}
        : { reportedWriteUnits: bufferedUnits.reportedWriteUnits }),
      seconds: bufferedSeconds,
      eventsPerSecond: events / bufferedSeconds,
      correct: bufferedWrong.length === 0,
      wrongAggregates: bufferedWrong.length,
      applySeconds,
      flushSeconds,
      flushes,
      bucketsFlushed,
      peakRedisBytes,
    };
    log(describe(bufferedMode));
    return {
      events,
      batchSize,
      bucketMs,
      rowBucketMs,
      spanMs,
      stores,
      seed,
      direct: directModes.get('partiql'),
      ...(directModes.has('update-item') ? { directUpdateItem: directModes.get('update-item') } : {}),
      pricing,
      buffered: bufferedMode,
      targetWriteUnitsPerEvent: BUFFERED_TARGET_WRITE_UNITS_PER_EVENT,
      meetsTarget:
        bufferedMode.correct && bufferedMode.writeUnitsPerEvent <= BUFFERED_TARGET_WRITE_UNITS_PER_EVENT,
    };
  } finally {
    redis.disconnect();
    for (const c of clients) c.destroy();
    streams.destroy();
    await server?.stop();
  }
}

/** What {@link meteredTable} found for a table's writes. */
type TableUnits = Pick<BufferedBenchMode, 'writes' | 'writeUnits' | 'metering' | 'reportedWriteUnits'> & {
  requests: number;
};

/**
 * Creates an aggregate table and meters the writes `client` sends: with `images` pricing the table gets a
 * `NEW_AND_OLD_IMAGES` stream and its successful writes are priced from the images (the only way to price
 * PartiQL on DynamoDB Local), otherwise units are what the store reports (PartiQL statements unbilled).
 */
async function meteredTable(
  client: DynamoDBClient,
  streams: DynamoDBStreamsClient,
  table: string,
  pricing: 'images' | 'reported',
): Promise<{ reset(): void; units(): Promise<TableUnits> }> {
  await createAggregateTable(client, table);
  const arn = pricing === 'images' ? await enableImageStream(client, table) : undefined;
  const meter = meterWrites(
    client,
    arn === undefined ? { unpricedStatements: true } : { imageTables: new Set([table]) },
  );
  return {
    reset: () => meter.reset(),
    async units() {
      const t = meter.totals();
      if (arn === undefined)
        return { writes: t.writes, writeUnits: t.writeUnits, requests: t.requests, metering: 'reported' };
      const images = await priceStreamImages(streams, arn);
      return {
        writes: t.writes,
        writeUnits: t.writeUnits + images.writeUnits,
        requests: t.requests,
        metering: 'priced',
        // DynamoDB Local reported every successful write (no PartiQL): its figure, beside the priced one
        ...(t.statements === 0 ? { reportedWriteUnits: t.writeUnits + t.reportedImageUnits } : {}),
      };
    },
  };
}

function describe(m: BufferedBenchMode): string {
  return `${m.label}: ${m.writeUnitsPerEvent.toFixed(3)} WCU/event, ${Math.round(m.eventsPerSecond)} events/s, ${m.correct ? 'equal to the oracle' : `${m.wrongAggregates} aggregates WRONG`}`;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /used_memory:(\d+)/.exec(info);
  return m === null ? 0 : Number(m[1]);
}

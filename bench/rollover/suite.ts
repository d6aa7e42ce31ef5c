// The rollover workload against DynamoDB Local: the same batches applied once from a single shard and once
// from 16 partitions whose shards roll over every 4 hours, exactly-once (row-watermark), through UpdateItem
// (DynamoDB Local itself reports the write units: ReturnConsumedCapacity) or through PartiQL, the library's
// default (it reports none for PartiQL: the applier estimates them from item sizes with the cost model).
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { shardStateOf } from '../../packages/dynotally/src/apply/shard-state.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/item-size.ts';
import { AncestorLookup } from '../../packages/dynotally/src/handler/ancestor-lookup.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import type { ShardLink } from '../../packages/dynotally/src/streams/shard-lineage.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { benchStoreRollup } from '../suites/s4-rollup.ts';
import {
  asSingleShard,
  ROLLOVER_STREAM_ARN,
  type RolloverBatch,
  type RolloverOptions,
  rolloverBatches,
} from './workload.ts';

/**
 * `single-shard`: the batches from one shard that never rolls. `rollover`: from 16 partitions whose shards
 * roll, states pruned by age only (a Lambda handler with `lineage: false`). `rollover-lineage`: the same, each
 * batch also naming all its shard's ancestors at once (`finishedShards`; the stream worker once its 15 minutes
 * have passed). `rollover-lambda`: the handler's own lookup (`AncestorLookup`) as on Lambda: one container per
 * partition, which names a shard's closed ancestors from the stream's description (24 h of shards, as
 * `DescribeStream` lists them) only once it has seen the shard for 15 minutes, and forgets everything when it
 * is replaced (`lambdaContainerHours`).
 */
export type RolloverWorkload = 'single-shard' | 'rollover' | 'rollover-lineage' | 'rollover-lambda';

/**
 * The applier's write path: `update-item` (the store reports every write's units) or `partiql` (the library's
 * default: rows in `BatchExecuteStatement`s of 25, units estimated from item sizes, sampled rows read back).
 */
export type RolloverWritePath = 'partiql' | 'update-item';

/** The write paths, for checking a command-line value. */
export const ROLLOVER_WRITE_PATHS: readonly RolloverWritePath[] = ['partiql', 'update-item'];

/** How the `rollover-lambda` workload simulates Lambda's containers. */
export interface LambdaSimulation {
  /** A partition's container is replaced (a cold start: the 15-minute clocks start again) this often; 0 never. */
  lambdaContainerHours?: number;
}

/**
 * The simulated stream's description at `clock`, as DescribeStream would list it: every partition's shards
 * of the last 24 hours (older ones are trimmed), each with its parent, closed once its successor started.
 *
 * @example
 * ```ts
 * const links = describedAt(Date.UTC(2026, 10, 1, 9), Date.UTC(2026, 10, 1), { partitions: 16 });
 * ```
 */
export function describedAt(clock: number, start: number, options: RolloverOptions): Map<string, ShardLink> {
  const rollMs = (options.rolloverHours ?? 4) * 3_600_000;
  const partitions = options.partitions ?? 16;
  const current = Math.floor((clock - start) / rollMs);
  const links = new Map<string, ShardLink>();
  const id = (p: number, g: number) =>
    `shardId-p${String(p).padStart(2, '0')}-g${String(g).padStart(2, '0')}`;
  for (let p = 0; p < partitions; p++)
    for (let g = 0; g <= current; g++) {
      if (g < current && start + (g + 1) * rollMs < clock - 24 * 3_600_000) continue; // trimmed
      links.set(id(p, g), { parent: g === 0 ? undefined : id(p, g - 1), closed: g < current });
    }
  return links;
}

/** Write units of one simulated hour (the batches of the window ending at `hour`). */
export interface HourPoint {
  /** Simulated hours since the start, at the end of the window. */
  hour: number;
  events: number;
  writeUnits: number;
  writeUnitsPerEvent: number;
}

/** Row writes and their write units by row kind (sort key prefix: H hour rows, M month rows, ALL). */
export type UnitsByKind = Record<string, { writes: number; writeUnits: number; unitsPerWrite: number }>;

/** What one run measured. */
export interface RolloverRun {
  workload: RolloverWorkload;
  write: RolloverWritePath;
  shards: number;
  events: number;
  batches: number;
  /** Batches that named finished ancestors (their writes removed those shards' states). */
  batchesNamingAncestors: number;
  rowsWritten: number;
  writeUnits: number;
  writeUnitsPerEvent: number;
  /** The part of `writeUnits` the applier estimated (PartiQL: the store reports none). */
  estimatedWriteUnits: number;
  /** Consistent reads of sampled rows (PartiQL's read-back) and their read units. */
  readRequests: number;
  readUnits: number;
  /** Batches that failed (a write over 400 KB would be one). */
  failedBatches: number;
  /** Writes DynamoDB refused for size (an item over 400 KB): thrown, or a statement's error in a PartiQL batch. */
  writesFailedForSize: number;
  /** Transactions of rows past the state budget (`TransactWriteItems`, each up to 99 rows + a watermark item). */
  transactions: number;
  /** Rows of the final table marked transactional (past the state budget). */
  transactionalRows: number;
  /** Write units per event of each simulated hour. */
  byHour: HourPoint[];
  /**
   * Where the write units went: UpdateItem writes (conditional failures included) by row kind, as the store
   * reports them; empty on the PartiQL path (no units reported per statement).
   */
  unitsByKind: UnitsByKind;
  /** Rows whose all-time counts differ from the events generated (must be 0). */
  wrongAllTimeRows: number;
  /** Over the final table: the row with the most exactly-once state. */
  largestState: { bytes: number; entries: number; rowBytes: number; pk: string; sk: string };
  /** The same entries in the 0.2 encoding (65 bytes each), for comparison. */
  largestStateLegacyBytes: number;
  /** Largest row state seen at each simulated 12 hours (bytes). */
  stateByHalfDay: number[];
}

async function scanAll(
  client: DynamoDBClient,
  table: string,
): Promise<Array<Record<string, AttributeValue>>> {
  const out: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

function stateOf(item: Record<string, AttributeValue>): { bytes: number; entries: number } {
  let bytes = 0;
  let entries = 0;
  for (const [name, value] of Object.entries(item)) {
    if (shardStateOf(name, value) === undefined) continue;
    entries++;
    bytes += itemSizeBytes({ [name]: value });
  }
  return { bytes, entries };
}

async function largest(client: DynamoDBClient, table: string) {
  let best = { bytes: 0, entries: 0, rowBytes: 0, pk: '', sk: '' };
  for (const item of await scanAll(client, table)) {
    const s = stateOf(item);
    if (s.bytes > best.bytes)
      best = { ...s, rowBytes: itemSizeBytes(item), pk: item.pk?.S ?? '', sk: item.sk?.S ?? '' };
  }
  return best;
}

/**
 * Applies the batches in order on a fresh table and measures write units, failures and row state.
 *
 * @example
 * ```ts
 * const run = await runRollover(endpoint, 'rollover', rolloverBatches(), {});
 * ```
 */
export async function runRollover(
  endpoint: string,
  workload: RolloverWorkload,
  batches: readonly RolloverBatch[],
  applierOptions: Partial<ApplierOptions> = {},
  log: (line: string) => void = () => {},
  lambda: LambdaSimulation & { options?: RolloverOptions; write?: RolloverWritePath } = {},
): Promise<RolloverRun> {
  const write = lambda.write ?? 'partiql';
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const table = `rollover-${workload}-${Date.now()}`;
  const unitsByKind: UnitsByKind = {};
  let writesFailedForSize = 0;
  // every UpdateItem's units by row kind, and refusals for size, as the store reports them
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: { sk?: { S?: string } } };
      const kind = context.commandName === 'UpdateItemCommand' ? kindOf(input.Key?.sk?.S ?? '') : undefined;
      try {
        const out = await next(args);
        if (kind !== undefined) {
          const c = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
          count(unitsByKind, kind, c?.CapacityUnits ?? 1);
        }
        if (context.commandName === 'BatchExecuteStatementCommand') {
          const responses = (out.output as { Responses?: Array<{ Error?: { Message?: string } }> }).Responses;
          for (const r of responses ?? []) if (/size/i.test(r.Error?.Message ?? '')) writesFailedForSize++;
        }
        return out;
      } catch (e) {
        if (kind !== undefined && e instanceof ConditionalCheckFailedException)
          count(unitsByKind, kind, Math.max(1, Math.ceil(itemSizeBytes(e.Item ?? {}) / 1024)));
        if (/size/i.test((e as Error).message ?? '')) writesFailedForSize++;
        throw e;
      }
    },
    { step: 'initialize', name: 'rolloverUnitsByKind' },
  );
  try {
    await createAggregateTable(client, table);
    let clock = batches[0]?.at ?? 0;
    // one applier per partition (a Lambda instance per shard lineage); the windows' batches of different
    // partitions are applied concurrently, as the event source mapping does, and one shard's batches in order
    const appliers = new Map<string, Applier>();
    const applierFor = (shardId: string): Applier => {
      const lineage = lineageOf(shardId);
      let a = appliers.get(lineage);
      if (a === undefined) {
        a = new Applier({
          client,
          table,
          rollups: [benchStoreRollup],
          now: () => clock,
          ...applierOptions,
          write: { ...applierOptions.write, api: write },
        });
        appliers.set(lineage, a);
      }
      return a;
    };
    // rollover-lambda: one container per partition, replaced every lambdaContainerHours
    const streamStart = (batches[0]?.at ?? 0) - (lambda.options?.batchMinutes ?? 60) * 60_000;
    const containerMs = (lambda.lambdaContainerHours ?? 0) * 3_600_000;
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const containers = new Map<string, { since: number; lookup: AncestorLookup }>();
    const lookupFor = (shardId: string): AncestorLookup => {
      const key = lineageOf(shardId);
      const life = containerMs > 0 ? Math.floor((clock - streamStart) / containerMs) : 0;
      let c = containers.get(key);
      if (c === undefined || c.since !== life) {
        const lookup = new AncestorLookup(
          async () => describedAt(clock, streamStart, lambda.options ?? {}),
          silent,
          { now: () => clock },
        );
        c = { since: life, lookup };
        containers.set(key, c);
      }
      return c.lookup;
    };
    const namedFor = async (shardId: string): Promise<string[] | undefined> => {
      if (workload === 'rollover-lineage') return ancestorsOf(shardId);
      if (workload === 'rollover-lambda') return lookupFor(shardId).finishedFor(ROLLOVER_STREAM_ARN, shardId);
      return undefined;
    };
    let namingBatches = 0;
    let writeUnits = 0;
    let estimatedWriteUnits = 0;
    let readRequests = 0;
    let readUnits = 0;
    let rowsWritten = 0;
    let transactions = 0;
    let failedBatches = 0;
    let events = 0;
    const expected = new Map<string, { orders: number; views: number }>();
    const stateByHalfDay: number[] = [];
    const first = batches[0]?.at ?? 0;
    let nextMark = first + 12 * 3_600_000;
    const windows = new Map<number, RolloverBatch[]>();
    for (const b of batches) windows.set(b.at, [...(windows.get(b.at) ?? []), b]);
    const single = workload === 'single-shard';
    let done = 0;
    const byHour: HourPoint[] = [];
    let hourUnits = 0;
    const applyOne = async (b: RolloverBatch) => {
      try {
        const finishedShards = await namedFor(b.shardId);
        if (finishedShards !== undefined && finishedShards.length > 0) namingBatches++;
        const { report } = await applierFor(b.shardId).apply({
          records: b.records,
          shardId: b.shardId,
          ...(finishedShards === undefined ? {} : { finishedShards }),
        });
        writeUnits += report.writeUnits;
        estimatedWriteUnits += report.estimatedWriteUnits;
        readRequests += report.readRequests;
        readUnits += report.readUnits;
        hourUnits += report.writeUnits;
        rowsWritten += report.rowsWritten;
        transactions += report.transactions;
      } catch (e) {
        failedBatches++;
        log(`batch of ${b.shardId} at ${new Date(b.at).toISOString()} failed: ${(e as Error).message}`);
      }
    };
    for (const [at, group] of windows) {
      clock = at;
      if (clock >= nextMark) {
        stateByHalfDay.push((await largest(client, table)).bytes);
        nextMark += 12 * 3_600_000;
      }
      hourUnits = 0;
      if (single) for (const b of group) await applyOne(b);
      else await Promise.all(group.map(applyOne));
      const hourEvents = group.reduce((n, b) => n + b.records.length, 0);
      byHour.push({
        hour: Math.round((at - first) / 3_600_000),
        events: hourEvents,
        writeUnits: hourUnits,
        writeUnitsPerEvent: hourEvents === 0 ? 0 : Math.round((hourUnits / hourEvents) * 1000) / 1000,
      });
      for (const b of group)
        for (const r of b.records) {
          events++;
          const image = r.dynamodb?.NewImage ?? {};
          const store = image.storeId?.S ?? '';
          const e = expected.get(store) ?? { orders: 0, views: 0 };
          if (image.type?.S === 'order') e.orders++;
          else e.views++;
          expected.set(store, e);
        }
      done += group.length;
      if (windows.size > 0 && (at - first) % (6 * 3_600_000) === 0)
        log(`${workload}: ${done}/${batches.length} batches, ${writeUnits} write units`);
    }
    const items = await scanAll(client, table);
    let wrongAllTimeRows = 0;
    for (const [store, e] of expected) {
      const row = items.find((it) => it.sk?.S === 'ALL' && it.pk?.S?.endsWith(store));
      if (Number(row?.orders?.N ?? 0) !== e.orders || Number(row?.views?.N ?? 0) !== e.views)
        wrongAllTimeRows++;
    }
    const top = await largest(client, table);
    stateByHalfDay.push(top.bytes);
    return {
      workload,
      write,
      shards: new Set(batches.map((b) => b.shardId)).size,
      events,
      batches: batches.length,
      batchesNamingAncestors: namingBatches,
      rowsWritten,
      writeUnits,
      writeUnitsPerEvent: writeUnits / events,
      estimatedWriteUnits,
      readRequests,
      readUnits,
      failedBatches,
      writesFailedForSize,
      transactions,
      transactionalRows: items.filter((it) => it['~tx'] !== undefined).length,
      byHour,
      unitsByKind,
      wrongAllTimeRows,
      largestState: top,
      largestStateLegacyBytes: top.entries * 65,
      stateByHalfDay,
    };
  } finally {
    client.destroy();
  }
}

function count(into: UnitsByKind, kind: string, units: number): void {
  const k = into[kind] ?? { writes: 0, writeUnits: 0, unitsPerWrite: 0 };
  into[kind] = k;
  k.writes++;
  k.writeUnits += units;
  k.unitsPerWrite = Math.round((k.writeUnits / k.writes) * 1000) / 1000;
}

/** The row kind of a sort key: `H` (hour rows), `M` (month rows), `ALL`, … */
function kindOf(sk: string): string {
  return sk === 'ALL' ? 'ALL' : sk.replace(/[^A-Z].*$/, '');
}

/** The partition of a simulated shard (`shardId-p03-g05` → `shardId-p03`). */
function lineageOf(shardId: string): string {
  return shardId.replace(/-g\d+$/, '');
}

/**
 * The finished ancestors of a simulated shard, nearest first (`shardId-p03-g05` → g04, g03, …, g00): every
 * batch of a generation is delivered before any of the next, as Lambda and the worker read a parent first.
 *
 * @example
 * ```ts
 * ancestorsOf('shardId-p03-g02'); // ['shardId-p03-g01', 'shardId-p03-g00']
 * ```
 */
export function ancestorsOf(shardId: string): string[] {
  const m = /-g(\d+)$/.exec(shardId);
  if (m === null) return [];
  const out: string[] = [];
  for (let g = Number(m[1]) - 1; g >= 0; g--)
    out.push(`${lineageOf(shardId)}-g${String(g).padStart(2, '0')}`);
  return out;
}

/** The runs of one bench, on the same batches, with their ratios to the single-shard run. */
export interface RolloverBenchResult {
  options: RolloverOptions;
  runs: RolloverRun[];
  /** Write units per event of each rollover workload ÷ the single-shard run's (target ≤ 1.25). */
  ratios: Partial<Record<RolloverWorkload, number>>;
  /** The same ratio hour by hour (a growth in state shows as a rising series). */
  ratiosByHour: Partial<Record<RolloverWorkload, number[]>>;
}

/**
 * The single-shard baseline and the rollover workloads on the same batches, one after the other (a table each).
 *
 * @example
 * ```ts
 * const { runs, ratios } = await runRolloverBench(local.endpoint, { events: 24_000 });
 * ```
 */
export async function runRolloverBench(
  endpoint: string,
  options: RolloverOptions = {},
  workloads: readonly RolloverWorkload[] = ['single-shard', 'rollover', 'rollover-lineage'],
  applierOptions: Partial<ApplierOptions> = {},
  log: (line: string) => void = () => {},
  /** Called with the figures so far after each workload (a long run leaves what it measured). */
  progress: (partial: RolloverBenchResult) => void = () => {},
  /** Lambda's containers, and the write path (default `partiql`, the library's). */
  lambda: LambdaSimulation & { write?: RolloverWritePath } = {},
): Promise<RolloverBenchResult> {
  const batches = rolloverBatches(options);
  const all: RolloverWorkload[] = ['single-shard', ...workloads.filter((w) => w !== 'single-shard')];
  // one after the other: run together, the single-shard run (one batch at a time) starves behind the others
  const runs: RolloverRun[] = [];
  for (const w of all) {
    runs.push(
      await runRollover(
        endpoint,
        w,
        w === 'single-shard' ? asSingleShard(batches) : batches,
        applierOptions,
        log,
        { ...lambda, options },
      ),
    );
    progress(summarise(options, runs));
  }
  return summarise(options, runs);
}

function summarise(options: RolloverOptions, runs: readonly RolloverRun[]): RolloverBenchResult {
  const single = runs[0] as RolloverRun;
  const ratios: RolloverBenchResult['ratios'] = {};
  const ratiosByHour: RolloverBenchResult['ratiosByHour'] = {};
  for (const run of runs.slice(1)) {
    ratios[run.workload] = round(run.writeUnitsPerEvent / single.writeUnitsPerEvent);
    ratiosByHour[run.workload] = run.byHour.map((h, i) => {
      const base = single.byHour[i]?.writeUnits ?? 0;
      return base === 0 ? 0 : round(h.writeUnits / base);
    });
  }
  return { options, runs: [...runs], ratios, ratiosByHour };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

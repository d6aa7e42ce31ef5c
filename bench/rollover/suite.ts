// The rollover workload against DynamoDB Local: the same batches applied once from a single shard and once
// from 16 partitions whose shards roll over every 4 hours, exactly-once (row-watermark) through UpdateItem, so
// DynamoDB (Local) itself reports the write units (ReturnConsumedCapacity; it reports none for PartiQL).
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { shardStateOf } from '../../packages/dynotally/src/apply/shard-state.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/item-size.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { benchStoreRollup } from '../suites/s4-rollup.ts';
import { asSingleShard, type RolloverBatch, type RolloverOptions, rolloverBatches } from './workload.ts';

/** What one run measured. */
export interface RolloverRun {
  workload: 'single-shard' | 'rollover';
  shards: number;
  events: number;
  batches: number;
  rowsWritten: number;
  writeUnits: number;
  writeUnitsPerEvent: number;
  /** Batches that failed (a write over 400 KB would be one). */
  failedBatches: number;
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
  workload: RolloverRun['workload'],
  batches: readonly RolloverBatch[],
  applierOptions: Partial<ApplierOptions> = {},
  log: (line: string) => void = () => {},
): Promise<RolloverRun> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const table = `rollover-${workload}-${Date.now()}`;
  try {
    await createAggregateTable(client, table);
    let clock = batches[0]?.at ?? 0;
    // one applier per partition (a Lambda instance per shard lineage); the windows' batches of different
    // partitions are applied concurrently, as the event source mapping does, and one shard's batches in order
    const appliers = new Map<string, Applier>();
    const applierFor = (shardId: string): Applier => {
      const lineage = shardId.replace(/-g\d+$/, '');
      let a = appliers.get(lineage);
      if (a === undefined) {
        a = new Applier({
          client,
          table,
          rollups: [benchStoreRollup],
          write: { api: 'update-item' },
          now: () => clock,
          ...applierOptions,
        });
        appliers.set(lineage, a);
      }
      return a;
    };
    let writeUnits = 0;
    let rowsWritten = 0;
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
    const applyOne = async (b: RolloverBatch) => {
      try {
        const { report } = await applierFor(b.shardId).apply({ records: b.records, shardId: b.shardId });
        writeUnits += report.writeUnits;
        rowsWritten += report.rowsWritten;
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
      if (single) for (const b of group) await applyOne(b);
      else await Promise.all(group.map(applyOne));
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
      shards: new Set(batches.map((b) => b.shardId)).size,
      events,
      batches: batches.length,
      rowsWritten,
      writeUnits,
      writeUnitsPerEvent: writeUnits / events,
      failedBatches,
      wrongAllTimeRows,
      largestState: top,
      largestStateLegacyBytes: top.entries * 65,
      stateByHalfDay,
    };
  } finally {
    client.destroy();
  }
}

/**
 * Both runs on the same batches: the single-shard baseline, then the 16-partition rollover stream.
 *
 * @example
 * ```ts
 * const { single, rollover, ratio } = await runRolloverBench(local.endpoint, { events: 24_000 });
 * ```
 */
export async function runRolloverBench(
  endpoint: string,
  options: RolloverOptions = {},
  applierOptions: Partial<ApplierOptions> = {},
  log: (line: string) => void = () => {},
): Promise<{ options: RolloverOptions; single: RolloverRun; rollover: RolloverRun; ratio: number }> {
  const batches = rolloverBatches(options);
  const single = await runRollover(endpoint, 'single-shard', asSingleShard(batches), applierOptions, log);
  const rollover = await runRollover(endpoint, 'rollover', batches, applierOptions, log);
  return { options, single, rollover, ratio: rollover.writeUnitsPerEvent / single.writeUnitsPerEvent };
}

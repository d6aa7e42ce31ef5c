import {
  type AttributeValue,
  DeleteTableCommand,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/index.ts';
import {
  aggregateTableSpec,
  createAggregateTable,
  ensureTtl,
  provisionTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { perEventAdds } from '../contenders/per-event-adds.ts';
import { runPool } from '../contenders/pool.ts';
import { ownCpuMs, processCpuMs } from '../suites/cpu-time.ts';
import { benchStoreRollup, S4_ZONE } from '../suites/s4-rollup.ts';
import { recordBatches } from '../workload/index.ts';
import { plainTableSpec } from './tables.ts';

/**
 * One way of writing the e2e workload's rows: dynotally exactly-once on a write API, on the aggregate table
 * (`agg`: GSI + TTL, as the bench's contender) or a plain `pk`/`sk` table, with or without
 * `ReturnConsumedCapacity` on the wire; or `naive` (one `UpdateItem ADD` per event and granularity).
 *
 * @example
 * ```ts
 * const v: E2eVariant = { name: 'pq', api: 'partiql', table: 'agg', capacity: true };
 * ```
 */
export interface E2eVariant {
  readonly name: string;
  readonly api: WriteApi | 'naive';
  /** `agg`: GSI + TTL (`createAggregateTable`); `gsi`: its GSI without TTL; `ttl`: `pk`/`sk` with TTL; `plain`: neither. */
  readonly table: 'agg' | 'gsi' | 'ttl' | 'plain';
  /** Keep `ReturnConsumedCapacity` on the requests (false: a middleware strips it before sending). */
  readonly capacity: boolean;
}

/**
 * The variants the bench runs over the e2e workload.
 *
 * @example
 * ```ts
 * E2E_VARIANTS.map((v) => v.name); // ['pq', 'pq-norcc', …]
 * ```
 */
export const E2E_VARIANTS: readonly E2eVariant[] = [
  { name: 'pq', api: 'partiql', table: 'agg', capacity: true },
  { name: 'pq-norcc', api: 'partiql', table: 'agg', capacity: false },
  { name: 'pq-plain', api: 'partiql', table: 'plain', capacity: true },
  { name: 'pq-gsi', api: 'partiql', table: 'gsi', capacity: true },
  { name: 'pq-ttl', api: 'partiql', table: 'ttl', capacity: true },
  { name: 'ui', api: 'update-item', table: 'agg', capacity: true },
  { name: 'ui-norcc', api: 'update-item', table: 'agg', capacity: false },
  { name: 'naive', api: 'naive', table: 'plain', capacity: false },
  { name: 'naive-agg', api: 'naive', table: 'agg', capacity: false },
];

/** What the store was sent and what it spent, for one variant's run over the batches. */
export interface E2eRun {
  variant: string;
  events: number;
  serverCpuMs: number;
  clientCpuMs: number;
  wallMs: number;
  /** Item writes (statements and `UpdateItem`s, retries and fall-backs included). */
  itemWrites: number;
  requests: number;
  /** Statement kinds sent (`INSERT`, `UPDATE`, `UPDATE if_not_exists`, `UpdateItem`). */
  kinds: Record<string, number>;
  /** Rows the Applier reports written (dynotally only). */
  rowsWritten?: number;
  /** Size of the rows at the end, weighted by the writes each got (bytes, by DynamoDB's sizing rules). */
  rowBytes?: { mean: number; p50: number; p90: number; max: number; attrsMean: number };
}

/** Wait after the last write before reading the CPU clocks. */
export const SETTLE_MS = 1_000;

interface Counters {
  itemWrites: number;
  requests: number;
  kinds: Record<string, number>;
  keys: Map<string, number>;
}

/** Counts what the client sends (and strips `ReturnConsumedCapacity` when asked), as a client middleware. */
function instrument(client: DynamoDBClient, stripCapacity: boolean): Counters {
  const c: Counters = { itemWrites: 0, requests: 0, kinds: {}, keys: new Map() };
  const kind = (k: string): void => {
    c.kinds[k] = (c.kinds[k] ?? 0) + 1;
  };
  const keyOf = (pk?: AttributeValue, sk?: AttributeValue): void => {
    const k = `${pk?.S}\u0000${sk?.S}`;
    c.keys.set(k, (c.keys.get(k) ?? 0) + 1);
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        Statements?: { Statement?: string; Parameters?: AttributeValue[] }[];
        Key?: Record<string, AttributeValue>;
        UpdateExpression?: string;
      };
      if (stripCapacity) delete input.ReturnConsumedCapacity;
      c.requests++;
      if (input.Statements !== undefined) {
        for (const st of input.Statements) {
          c.itemWrites++;
          const text = st.Statement ?? '';
          if (text.startsWith('INSERT')) {
            kind('INSERT');
            keyOf(st.Parameters?.[0], st.Parameters?.[1]);
          } else {
            kind(text.includes('if_not_exists') ? 'UPDATE if_not_exists' : 'UPDATE');
            // parameters end with pk, sk, then the condition's bounds: find the key by the WHERE's position
            const params = st.Parameters ?? [];
            const beforeWhere = text.slice(0, text.indexOf(' WHERE ')).split('?').length - 1;
            keyOf(params[beforeWhere], params[beforeWhere + 1]);
          }
        }
      } else if (input.UpdateExpression !== undefined && input.Key !== undefined) {
        c.itemWrites++;
        kind('UpdateItem');
        keyOf(input.Key.pk, input.Key.sk);
      }
      return next(args);
    },
    { step: 'initialize', name: 'ddblRowCostCounter' },
  );
  return c;
}

/**
 * Writes the e2e workload's records (cut into batches) through one variant into a fresh table, and measures
 * DynamoDB Local's CPU (from `/proc/<pid>/stat`) and this process's over the writes alone.
 *
 * @example
 * ```ts
 * const run = await runE2eVariant(client, local.pid, E2E_VARIANTS[0], records, 1_000, 'r0');
 * ```
 */
export async function runE2eVariant(
  client: DynamoDBClient,
  serverPid: number,
  variant: E2eVariant,
  records: readonly DynamoDBRecord[],
  batchSize: number,
  suffix: string,
  options: { measureRows: boolean },
): Promise<E2eRun> {
  const table = `e2e-${variant.name}-${suffix}`;
  if (variant.table === 'agg') await createAggregateTable(client, table);
  else
    await provisionTable(client, variant.table === 'gsi' ? aggregateTableSpec(table) : plainTableSpec(table));
  if (variant.table === 'ttl') await ensureTtl(client, table, 'ttl');
  const counters = instrument(client, !variant.capacity);
  const applier =
    variant.api === 'naive'
      ? undefined
      : new Applier({
          client,
          table,
          rollups: [benchStoreRollup],
          concurrency: 32,
          write: { api: variant.api },
          // the workload's stream times are simulated, not this clock's
          lateRecords: 'apply',
        });
  counters.requests = 0;
  let rowsWritten = 0;
  const server0 = processCpuMs(serverPid) ?? Number.NaN;
  const client0 = ownCpuMs();
  const wall0 = performance.now();
  for (const batch of recordBatches(records, batchSize)) {
    if (applier === undefined) {
      const updates = batch.records.flatMap((r) => perEventAdds(r, { tableName: table, timeZone: S4_ZONE }));
      await runPool(updates, 16, (input) => client.send(new UpdateItemCommand(input)));
    } else {
      const { report, poison } = await applier.apply({ records: batch.records, shardId: batch.shardId });
      if (poison.length > 0) throw new Error(`${variant.name}: poison record ${poison[0]?.error.message}`);
      rowsWritten += report.rowsWritten;
    }
  }
  // let deferred work (GC, JIT) of these writes land in their own window; idle costs ~5 ms/s
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const wallMs = performance.now() - wall0;
  const clientCpuMs = ownCpuMs() - client0;
  const serverCpuMs = (processCpuMs(serverPid) ?? Number.NaN) - server0;
  client.middlewareStack.remove('ddblRowCostCounter');
  const run: E2eRun = {
    variant: variant.name,
    events: records.length,
    serverCpuMs,
    clientCpuMs,
    wallMs,
    itemWrites: counters.itemWrites,
    requests: counters.requests,
    kinds: counters.kinds,
    ...(applier === undefined ? {} : { rowsWritten }),
  };
  if (options.measureRows) run.rowBytes = await rowSizes(client, table, counters.keys);
  await client.send(new DeleteTableCommand({ TableName: table }));
  return run;
}

/** Final sizes of a table's rows, each weighted by the writes it got. */
async function rowSizes(
  client: DynamoDBClient,
  table: string,
  writes: Map<string, number>,
): Promise<NonNullable<E2eRun['rowBytes']>> {
  const sized: { bytes: number; attrs: number; w: number }[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const w = writes.get(`${item.pk?.S}\u0000${item.sk?.S}`) ?? 0;
      if (w > 0) sized.push({ bytes: itemSizeBytes(item), attrs: Object.keys(item).length, w });
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  sized.sort((a, b) => a.bytes - b.bytes);
  const total = sized.reduce((t, x) => t + x.w, 0);
  const at = (q: number): number => {
    let acc = 0;
    for (const x of sized) {
      acc += x.w;
      if (acc >= q * total) return x.bytes;
    }
    return sized.at(-1)?.bytes ?? 0;
  };
  return {
    mean: Math.round(sized.reduce((t, x) => t + x.bytes * x.w, 0) / total),
    p50: at(0.5),
    p90: at(0.9),
    max: sized.at(-1)?.bytes ?? 0,
    attrsMean: Math.round((10 * sized.reduce((t, x) => t + x.attrs * x.w, 0)) / total) / 10,
  };
}

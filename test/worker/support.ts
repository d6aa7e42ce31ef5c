// Shared by the stream worker's integration tests and the worker child process: a simple rollup and its
// oracle twin, deterministic source operations, and readers for the aggregate, lease and dead-letter tables.
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue as SdkAttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import { mapLimit } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import type { Logger } from '../../packages/dynotally/src/logging/index.ts';
import {
  createAggregateTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { leaseKey } from '../../packages/dynotally/src/worker/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { MemoryStore } from '../oracle/memory-store.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { scanTable as scanAll, uniqueTableName } from '../support/ddb.ts';

const HOUR = 3_600_000;

/** Count and sum per group, by hour, day and all time. */
export const tallies = defineRollup({
  name: 'tallies',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});

/** The same rollup in the oracle's independent terms. */
export const talliesOracle: OracleRollup = {
  name: 'tallies',
  groupBy: ['g'],
  timeAttr: 't',
  zone: 'UTC',
  granularities: ['hour', 'day', 'all'],
  measures: [
    { name: 'n', kind: 'count' },
    { name: 'amt', kind: 'sum', attribute: 'amount' },
  ],
  ttlDeletes: 'subtract',
};

export type Op = { kind: 'put'; item: Img } | { kind: 'delete'; id: string };

/** mulberry32. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` operations on `keys` items: inserts, overwrites (MODIFY, often moving group or hour) and deletes, with
 * event times over the last two days. Ids carry `prefix` so several rounds do not collide.
 */
export function makeOps(seed: number, n: number, keys: number, prefix = 'item', groups = 5): Op[] {
  const random = rng(seed);
  const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * 24 * HOUR;
  const live = new Set<string>();
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${Math.floor(random() * keys)}`;
    if (live.has(id) && random() < 0.2) {
      ops.push({ kind: 'delete', id });
      live.delete(id);
      continue;
    }
    ops.push({
      kind: 'put',
      item: {
        id: { S: id },
        g: { S: `g${Math.floor(random() ** 2 * groups)}` },
        t: { N: String(base + Math.floor(random() * 47 * HOUR)) },
        amount: { N: String(Math.floor(random() * 2000) / 100) },
      },
    });
    live.add(id);
  }
  return ops;
}

/** The items the operations leave (in the source table's terms). */
export function finalItems(ops: readonly Op[]): Img[] {
  const state = new Map<string, Img>();
  for (const op of ops) {
    if (op.kind === 'put') state.set(op.item.id?.S as string, op.item);
    else state.delete(op.id);
  }
  return [...state.values()];
}

/** The oracle's cells for the items the operations leave. */
export function expectedCells(
  ops: readonly Op[],
  exclude: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const finals = finalItems(ops).filter((item) => !exclude.has(item.id?.S as string));
  return oracle([talliesOracle], finals, [], finals);
}

/**
 * Applies the operations to the source table: in order per item (so its stream records keep their order),
 * `concurrency` items at a time.
 */
export async function writeOps(
  client: DynamoDBClient,
  table: string,
  ops: readonly Op[],
  concurrency = 8,
): Promise<void> {
  const perKey = new Map<string, Op[]>();
  for (const op of ops) {
    const id = op.kind === 'put' ? (op.item.id?.S as string) : op.id;
    const list = perKey.get(id) ?? [];
    list.push(op);
    perKey.set(id, list);
  }
  await mapLimit([...perKey.values()], concurrency, async (list) => {
    for (const op of list) {
      if (op.kind === 'put')
        await client.send(
          new PutItemCommand({ TableName: table, Item: op.item as Record<string, SdkAttributeValue> }),
        );
      else await client.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: op.id } } }));
    }
  });
}

export { scanAll };

/** The aggregate table as the oracle's canonical cells (via MemoryStore.canonical, i.e. `explodeRow`). */
export async function actualCells(client: DynamoDBClient, table: string): Promise<Map<string, string>> {
  const store = new MemoryStore();
  for (const item of await scanAll(client, table)) {
    if (item.pk?.S?.startsWith('~')) continue; // system items (the retention history, watermarks): no rows
    const row: Record<string, Decimal | string | boolean> = {};
    for (const [name, v] of Object.entries(item)) {
      if (name === 'ttl' || name === 'updatedAt' || name.startsWith('w_') || name.startsWith('~')) continue;
      if (v.N !== undefined) row[name] = new Decimal(v.N);
      else if (v.S !== undefined) row[name] = v.S;
    }
    store.rows.set(`${item.pk?.S}\u0000${item.sk?.S}`, row);
  }
  return store.canonical([tallies.compiled]);
}

/**
 * A worker test's three tables, named after `name`: a source table keyed by `id` with its stream, an aggregate table
 * and a lease table.
 */
export async function workerTables(
  client: DynamoDBClient,
  name: string,
): Promise<{ source: string; aggregates: string; leases: string; streamArn: string }> {
  const source = uniqueTableName(`${name}-src`);
  const aggregates = uniqueTableName(`${name}-agg`);
  const leases = uniqueTableName(`${name}-lease`);
  const [streamArn] = await Promise.all([
    createSourceTable(client, source, { id: 'S' }),
    createAggregateTable(client, aggregates),
    createLeaseTable(client, leases),
  ]);
  return { source, aggregates, leases, streamArn };
}

/** A shard lease item as stored. */
export async function readLease(
  client: DynamoDBClient,
  table: string,
  streamArn: string,
  shardId: string,
): Promise<Record<string, SdkAttributeValue> | undefined> {
  const out = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: leaseKey(streamArn, shardId) } },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A logger that keeps warnings and errors (and prints nothing). */
export function quietLogger(): Logger & {
  lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    if (level !== 'info') lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

export type { AttributeValue };

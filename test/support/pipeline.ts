// The integration pipeline on DynamoDB Local: a real source table with a NEW_AND_OLD_IMAGES stream, written
// through the SDK; the stream read back with the Streams API and fed to the Lambda handler in batches, as
// Lambda would; the aggregate table scanned back into the oracle's canonical cells; and the oracle's inputs
// replayed from the very records that were delivered (so "the oracle minus these records" is exact).

import {
  DeleteItemCommand,
  PutItemCommand,
  type AttributeValue as SdkAttributeValue,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { CompiledRollup } from '../../packages/dynotally/src/definition/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import type {
  createStreamHandler,
  StreamBatchResponse,
  StreamHandlerOptions,
} from '../../packages/dynotally/src/handler/index.ts';
import { explodeRow } from '../../packages/dynotally/src/layout/explode-row.ts';
import { parsePartitionKey } from '../../packages/dynotally/src/layout/group-key.ts';
import type { Logger } from '../../packages/dynotally/src/logging/index.ts';
import { readStreamRecords } from '../../packages/dynotally/src/streams/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { cellKey, groupId, type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { scanTable, type TestClients, uniqueTableName } from './ddb.ts';

export type { Img };

/** One shard's records as read back from the stream, in sequence order. */
export interface ShardStream {
  shardId: string;
  records: DynamoDBRecord[];
}

/** A rollup described in the oracle's terms, with how to read an image's event time (epoch ms) by hand. */
export interface OracleSpec {
  rollup: Omit<OracleRollup, 'timeAttr'>;
  /** Epoch ms of an image, or undefined when the image has no usable time (the oracle then skips nothing: keep test data consistent). */
  timeMs: (img: Img) => number | undefined;
}

/** What the oracle needs, replayed from delivered records. */
export interface OracleInputs {
  finals: Img[];
  /** Images removed by (simulated) TTL deletes. */
  retained: Img[];
  /** Every new image, in order. */
  history: Img[];
}

/** A logger that keeps what it is told (tests assert on it; nothing is printed). */
export interface MemoryLogger extends Logger {
  lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
}

/** A logger that records lines instead of printing them. */
export function memoryLogger(): MemoryLogger {
  const lines: MemoryLogger['lines'] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;
const keyOf = (id: string) => ({ id: { S: id } });

/**
 * A source table (key `id`, S) with a stream, an aggregate table, and the operations that drive them.
 * Items written here carry `id`; the model of the table is kept to know which deletes produce a record.
 */
export class Pipeline {
  /** Ids whose next REMOVE records are to be marked as TTL deletes, in order of the deletes. */
  private readonly ttlQueue = new Map<string, boolean[]>();
  private readonly model = new Map<string, Img>();

  private constructor(
    readonly clients: TestClients,
    readonly rollups: readonly RollupLike[],
    readonly source: string,
    readonly streamArn: string,
    readonly aggregates: string,
  ) {}

  /** Creates the source table (with its stream) and a first aggregate table. */
  static async create(
    clients: TestClients,
    rollups: readonly RollupLike[],
    prefix = 'pipe',
  ): Promise<Pipeline> {
    const source = uniqueTableName(`${prefix}-src`);
    const aggregates = uniqueTableName(`${prefix}-agg`);
    const [streamArn] = await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, aggregates),
    ]);
    return new Pipeline(clients, rollups, source, streamArn, aggregates);
  }

  get compiled(): CompiledRollup[] {
    return this.rollups.map((r) => ('compiled' in r ? r.compiled : r));
  }

  /** Another empty aggregate table (to replay the same stream under another delivery pattern). */
  async newAggregateTable(prefix = 'agg'): Promise<string> {
    const name = uniqueTableName(prefix);
    await createAggregateTable(this.clients.ddb, name);
    return name;
  }

  /** A dead-letter table. */
  async newDeadLetterTable(prefix = 'dlq'): Promise<string> {
    const name = uniqueTableName(prefix);
    await createDeadLetterTable(this.clients.ddb, name);
    return name;
  }

  /** PutItem (an INSERT, a MODIFY, or no record at all when the item is identical). */
  async put(item: Img): Promise<void> {
    const id = item.id?.S;
    if (id === undefined) throw new Error('pipeline items carry a string id');
    await this.clients.ddb.send(
      new PutItemCommand({ TableName: this.source, Item: item as Record<string, SdkAttributeValue> }),
    );
    this.model.set(id, item);
  }

  /** UpdateItem: SET the given attributes, REMOVE the named ones (a MODIFY, or an INSERT when absent). */
  async update(id: string, set: Img, remove: readonly string[] = []): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, SdkAttributeValue> = {};
    const sets: string[] = [];
    Object.entries(set).forEach(([attr, v], i) => {
      names[`#s${i}`] = attr;
      values[`:s${i}`] = v as SdkAttributeValue;
      sets.push(`#s${i} = :s${i}`);
    });
    remove.forEach((attr, i) => {
      names[`#r${i}`] = attr;
    });
    let expr = sets.length > 0 ? `SET ${sets.join(', ')}` : '';
    if (remove.length > 0) expr += ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}`;
    await this.clients.ddb.send(
      new UpdateItemCommand({
        TableName: this.source,
        Key: keyOf(id),
        UpdateExpression: expr.trim(),
        ExpressionAttributeNames: names,
        ...(sets.length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    const next: Img = { ...(this.model.get(id) ?? keyOf(id)), ...set };
    for (const attr of remove) delete next[attr];
    this.model.set(id, next);
  }

  /** DeleteItem. With `ttl`, its REMOVE record is marked as DynamoDB's TTL process would mark it. */
  async remove(id: string, options: { ttl?: boolean } = {}): Promise<void> {
    await this.clients.ddb.send(new DeleteItemCommand({ TableName: this.source, Key: keyOf(id) }));
    if (!this.model.has(id)) return; // no stream record for a missing item
    this.model.delete(id);
    const queue = this.ttlQueue.get(id) ?? [];
    queue.push(options.ttl === true);
    this.ttlQueue.set(id, queue);
  }

  /** The item ids currently in the source table, as this pipeline wrote them. */
  get items(): ReadonlyMap<string, Img> {
    return this.model;
  }

  /**
   * Everything the stream holds, per shard, in the Lambda record shape; REMOVE records of simulated TTL
   * deletes get DynamoDB's TTL `userIdentity`. Call once after writing (the TTL marks are consumed).
   */
  async readStream(): Promise<ShardStream[]> {
    const shards = await readStreamRecords(this.clients.streams, this.streamArn);
    for (const { records } of shards) {
      for (const r of records) {
        if (r.eventName !== 'REMOVE') continue;
        const id = r.dynamodb?.Keys?.id?.S;
        const ttl = id === undefined ? undefined : this.ttlQueue.get(id)?.shift();
        if (ttl) r.userIdentity = { ...TTL_IDENTITY };
      }
    }
    return shards.filter((s) => s.records.length > 0);
  }

  /**
   * The stream handler on this pipeline's rollups (silent logger unless one is given), as `createStreamHandler` makes
   * it in this process's environment. A failed batch is reported as `batchItemFailures` naming its first record, as
   * under the CDK construct (`DYNOTALLY_REPORT_BATCH_ITEM_FAILURES=true`), unless `failures: 'throw'` asks for the
   * default of a mapping made by hand (the batch thrown).
   */
  handler(
    options: Partial<StreamHandlerOptions> & { failures?: 'report' | 'throw' } = {},
  ): ReturnType<typeof createStreamHandler> {
    const { failures = 'report', ...rest } = options;
    return streamHandlerIn(
      {
        rollups: this.rollups,
        client: this.clients.ddb,
        table: this.aggregates,
        logger: memoryLogger(),
        ...rest,
      } as StreamHandlerOptions,
      process.env,
      failures,
    );
  }

  /** The canonical cells of an aggregate table (default: this pipeline's). */
  async canonical(table = this.aggregates): Promise<Map<string, string>> {
    return canonicalCells(this.compiled, await scanTable(this.clients.ddb, table));
  }
}

/**
 * Delivers records to a handler the way Lambda does for one shard: consecutive batches of `batchSize`,
 * each event `{ Records, shardId }` (omit the shard id with `shardId: undefined`). Returns every response.
 */
export async function deliver(
  handler: ReturnType<typeof createStreamHandler>,
  shard: ShardStream,
  options: { batchSize?: number; from?: number; to?: number; withShardId?: boolean } = {},
): Promise<StreamBatchResponse[]> {
  const size = options.batchSize ?? 100;
  const to = Math.min(options.to ?? shard.records.length, shard.records.length);
  const out: StreamBatchResponse[] = [];
  for (let i = options.from ?? 0; i < to; i += size) {
    const Records = shard.records.slice(i, Math.min(i + size, to));
    out.push(
      await handler(options.withShardId === false ? { Records } : { Records, shardId: shard.shardId }),
    );
  }
  return out;
}

/** Delivers every shard in order, in batches, and expects no batch item failures. */
export async function deliverAll(
  handler: ReturnType<typeof createStreamHandler>,
  shards: readonly ShardStream[],
  batchSize = 100,
): Promise<void> {
  for (const shard of shards) {
    for (const res of await deliver(handler, shard, { batchSize })) {
      if (res.batchItemFailures.length > 0)
        throw new Error(`unexpected batch item failures: ${JSON.stringify(res.batchItemFailures)}`);
    }
  }
}

export { scanTable } from './ddb.ts';

type Val = Decimal | string | boolean;

function toVal(v: SdkAttributeValue): Val | undefined {
  if (v.N !== undefined) return new Decimal(v.N);
  if (v.S !== undefined) return v.S;
  if (v.BOOL !== undefined) return v.BOOL;
  return undefined;
}

/** True for aggregate-table items that are no rollup rows (the transaction strategy's shard watermarks). */
export const isBookkeeping = (item: Record<string, SdkAttributeValue>): boolean =>
  item.pk?.S?.startsWith('~') === true;

/**
 * The canonical cells of scanned aggregate rows, as `MemoryStore.canonical` computes them: per row
 * `parsePartitionKey(pk)` → `groupId(values)`, `explodeRow(compiled, sk, attrs)`, numbers as exact decimals,
 * additive zeros dropped. Bookkeeping items and `w_*`, `ttl`, `updatedAt`, `lbk`, `lbv` are skipped.
 */
export function canonicalCells(
  rollups: readonly CompiledRollup[],
  rows: readonly Record<string, SdkAttributeValue>[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of rows) {
    if (isBookkeeping(row)) continue;
    const pk = row.pk?.S;
    const sk = row.sk?.S;
    if (pk === undefined || sk === undefined)
      throw new Error(`aggregate row without pk/sk: ${JSON.stringify(row)}`);
    const { rollup, values } = parsePartitionKey(pk);
    const c = rollups.find((x) => x.name === rollup);
    if (c === undefined) throw new Error(`row of unknown rollup ${rollup}`);
    const attrs: Record<string, Val> = {};
    for (const [name, v] of Object.entries(row)) {
      if (
        name === 'pk' ||
        name === 'sk' ||
        name === 'ttl' ||
        name === 'updatedAt' ||
        name === 'lbk' ||
        name === 'lbv' ||
        name.startsWith('w_') ||
        name.startsWith('~')
      )
        continue;
      const val = toVal(v);
      if (val !== undefined) attrs[name] = val;
    }
    for (const { ref, value } of explodeRow(c, sk, attrs)) {
      const m = c.measures.find((x) => x.name === ref.measure);
      if (m === undefined) continue;
      if (m.additive && value instanceof Decimal && value.isZero()) continue;
      out.set(
        cellKey(rollup, groupId(values), ref.granularity, ref.bucket, ref.measure),
        value instanceof Decimal ? value.toString() : String(value),
      );
    }
  }
  return out;
}

/**
 * Replays delivered records into the oracle's inputs: state per item key (INSERT/MODIFY set the new image,
 * REMOVE drops it; TTL-marked removes keep the old image as retained). Records whose sequence number is in
 * `skip` (dead-lettered) are left out; `upTo` stops after that many records of the concatenated shards.
 */
export function replay(
  shards: readonly ShardStream[],
  options: { skip?: ReadonlySet<string>; upTo?: number } = {},
): OracleInputs {
  const state = new Map<string, Img>();
  const retained: Img[] = [];
  const history: Img[] = [];
  let n = 0;
  for (const { records } of shards) {
    for (const r of records) {
      if (options.upTo !== undefined && n >= options.upTo) break;
      n++;
      const seq = r.dynamodb?.SequenceNumber ?? '';
      if (options.skip?.has(seq)) continue;
      const key = JSON.stringify(r.dynamodb?.Keys ?? {});
      if (r.eventName === 'REMOVE') {
        const old = state.get(key);
        state.delete(key);
        if (old !== undefined && r.userIdentity?.principalId === TTL_IDENTITY.principalId) retained.push(old);
      } else {
        const img = r.dynamodb?.NewImage as Img | undefined;
        if (img === undefined) throw new Error(`replay: ${r.eventName} without a new image`);
        state.set(key, img);
        history.push(img);
      }
    }
  }
  return { finals: [...state.values()], retained, history };
}

/** The oracle's cells for the given specs over replayed inputs (one oracle call per rollup, merged). */
export function expectedCells(specs: readonly OracleSpec[], inputs: OracleInputs): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of specs) {
    const withTime = (img: Img): Img => {
      const t = spec.timeMs(img);
      return t === undefined ? img : { ...img, __t: { N: String(t) } as AttributeValue };
    };
    const cells = oracle(
      [{ ...spec.rollup, timeAttr: '__t' }],
      inputs.finals.map(withTime),
      inputs.retained.map(withTime),
      inputs.history.map(withTime),
    );
    for (const [k, v] of cells) out.set(k, v);
  }
  return out;
}

/**
 * The cells where two canonical maps differ, as `{ key, actual, expected }` (empty when equal), for
 * readable assertion failures.
 */
export function diffCells(
  actual: ReadonlyMap<string, string>,
  expected: ReadonlyMap<string, string>,
): Array<{ key: string; actual?: string; expected?: string }> {
  const out: Array<{ key: string; actual?: string; expected?: string }> = [];
  for (const key of new Set([...actual.keys(), ...expected.keys()])) {
    const a = actual.get(key);
    const e = expected.get(key);
    if (a !== e)
      out.push({
        key,
        ...(a === undefined ? {} : { actual: a }),
        ...(e === undefined ? {} : { expected: e }),
      });
  }
  return out.sort((x, y) => (x.key < y.key ? -1 : 1));
}

/** All records of all shards, in delivery order. */
export const allRecords = (shards: readonly ShardStream[]): DynamoDBRecord[] =>
  shards.flatMap((s) => s.records);

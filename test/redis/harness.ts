// Shared pieces of the Redis buffer integration tests: a redis-server and DynamoDB Local, the aggregate table
// read back (merged with the live buffer) in the oracle's canonical form, and stream-like redelivery patterns.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { CompiledRollup } from '../../packages/dynotally/src/definition/index.ts';
import type { Logger } from '../../packages/dynotally/src/logging/index.ts';
import {
  type BufferedApplier,
  FLUSH_MARKER_ATTR,
  type LiveSnapshot,
  withLive,
} from '../../packages/dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { MemoryStore } from '../oracle/memory-store.ts';
import { opsArb } from '../support/arbitraries.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';
import { type Op, simulate } from '../support/stream-sim.ts';

export interface BufferEnv {
  server: LocalRedisServer;
  redis: Redis;
  ddb: DynamoDBClient;
  /** A fresh aggregate table and a fresh Redis key prefix, for one property run. */
  fresh(prefix?: string): Promise<{ table: string; keyPrefix: string }>;
  /** {@link fresh} plus a fake clock at `start` and the options every buffer part of one test shares. */
  fixture(prefix: string, rollups: readonly RollupLike[], start: number): Promise<BufferFixture>;
  close(): Promise<void>;
}

/** One test's table, key prefix, clock and the options its applier, flusher and live source share. */
export interface BufferFixture {
  table: string;
  keyPrefix: string;
  clock: ReturnType<typeof fakeClock>;
  common: {
    redis: Redis;
    client: DynamoDBClient;
    table: string;
    rollups: readonly RollupLike[];
    bucketMs: number;
    keyPrefix: string;
    now: () => number;
    logger: Logger;
  };
}

/** Width of the tests' flush buckets. */
export const MINUTE = 60_000;

let prefixes = 0;

export async function startBufferEnv(): Promise<BufferEnv> {
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  const clients = testClients();
  const fresh = async (prefix = 'rb') => {
    const table = uniqueTableName(prefix);
    await createAggregateTable(clients.ddb, table);
    return { table, keyPrefix: `t${process.pid}-${prefixes++}:{b}:` };
  };
  return {
    server,
    redis,
    ddb: clients.ddb,
    fresh,
    async fixture(prefix, rollups, start) {
      const { table, keyPrefix } = await fresh(prefix);
      const clock = fakeClock(start);
      const common = {
        redis,
        client: clients.ddb,
        table,
        rollups,
        bucketMs: MINUTE,
        keyPrefix,
        now: clock.now,
        logger: quietLogger(),
      };
      return { table, keyPrefix, clock, common };
    },
    async close() {
      redis.disconnect();
      clients.destroy();
      await server.stop();
    },
  };
}

export { scanTable as scanItems } from '../support/ddb.ts';

/**
 * The canonical cells of aggregate rows (DynamoDB JSON), bookkeeping items (`~…`) left out, each row merged with
 * the live snapshot when one is given (rows only in Redis included).
 */
export function canonicalOf(
  compiled: readonly CompiledRollup[],
  items: readonly Record<string, AttributeValue>[],
  live?: LiveSnapshot,
): Map<string, string> {
  const store = new MemoryStore();
  const seen = new Set<string>();
  const add = (item: Record<string, AttributeValue>) => {
    const pk = item.pk?.S as string;
    const sk = item.sk?.S as string;
    const row: Record<string, Decimal | string | boolean> = {};
    for (const [k, v] of Object.entries(item)) {
      if (v.N !== undefined) row[k] = new Decimal(v.N);
      else if (v.S !== undefined) row[k] = v.S;
      else if (v.BOOL !== undefined) row[k] = v.BOOL;
    }
    store.rows.set(`${pk}\u0000${sk}`, row);
  };
  for (const item of items) {
    const pk = item.pk?.S;
    if (pk === undefined || pk.startsWith('~')) continue;
    seen.add(`${pk}\u0000${item.sk?.S}`);
    add(live === undefined ? item : withLive(live, item));
  }
  if (live !== undefined) {
    for (const pk of live.pks()) {
      for (const sk of live.sortKeys(pk)) {
        if (seen.has(`${pk}\u0000${sk}`)) continue;
        add(withLive(live, { pk: { S: pk }, sk: { S: sk } }));
      }
    }
  }
  return store.canonical(compiled);
}

/** Aggregate rows that carry a flush marker. */
export function markedRows(items: readonly Record<string, AttributeValue>[]): number {
  return items.filter((i) => i[FLUSH_MARKER_ATTR] !== undefined).length;
}

/**
 * A stream-like delivery pattern over `n` records: each delivery is a slice `[from, to)` that starts at or before
 * the checkpoint (replays) and, most of the time, moves it forward; the last delivery reaches the end.
 * Also says after which deliveries the clock moves and a flush runs.
 */
export interface Delivery {
  from: number;
  to: number;
  /** Minutes the fake clock moves before this delivery. */
  advance: number;
  /** Run a flush of closed buckets after this delivery. */
  flush: boolean;
}

export const deliveriesArb = (n: number, maxReplay = 6): fc.Arbitrary<Delivery[]> =>
  fc
    .array(
      fc.record({
        back: fc.integer({ min: 0, max: maxReplay }),
        size: fc.integer({ min: 1, max: 25 }),
        replay: fc.boolean(),
        advance: fc.integer({ min: 0, max: 3 }),
        flush: fc.boolean(),
      }),
      { minLength: 1, maxLength: 20 },
    )
    .map((steps) => {
      const out: Delivery[] = [];
      let checkpoint = 0;
      for (const s of steps) {
        if (checkpoint >= n) break;
        const from = Math.max(0, checkpoint - s.back);
        const to =
          s.replay && from < checkpoint
            ? Math.min(checkpoint, from + s.size)
            : Math.min(n, checkpoint + s.size);
        out.push({ from, to, advance: s.advance, flush: s.flush });
        checkpoint = Math.max(checkpoint, to);
      }
      for (; checkpoint < n; checkpoint = Math.min(n, checkpoint + 20))
        out.push({ from: checkpoint, to: Math.min(n, checkpoint + 20), advance: 1, flush: false });
      return out;
    });

/** A logger that keeps its lines (assert on them) and prints nothing. */
export function quietLogger(): Logger & {
  lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A fake clock in ms, moved by tests. */
export function fakeClock(start: number): {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}

/**
 * Buffers `records` in `buckets` batches, moving the clock one bucket after each, so they land in that many
 * flush buckets.
 */
export async function bufferAcrossBuckets(
  applier: BufferedApplier,
  records: readonly DynamoDBRecord[],
  buckets: number,
  clock: ReturnType<typeof fakeClock>,
): Promise<void> {
  const size = Math.ceil(records.length / buckets);
  for (let i = 0; i < records.length; i += size) {
    await applier.apply({ records: records.slice(i, i + size), shardId: 'shardId-0001' });
    clock.advance(MINUTE);
  }
}

/**
 * Several `opsArb` sequences of up to 15 operations back to back, over the same keys: long histories whose
 * chunks the tests cut and redeliver separately, at a size a test against real servers can afford.
 */
export const longOpsArb = (keys = 8, minChunks = 2, maxChunks = 5): fc.Arbitrary<Op[]> =>
  fc
    .array(opsArb(keys, 15), { minLength: minChunks, maxLength: maxChunks, size: 'max' })
    .map((chunks) => chunks.flat());

/** A reproducible workload of at least `minRecords` stream records. */
export function sampleWorkload(seed: number, minRecords: number, keys = 10): Op[] {
  for (const ops of fc.sample(longOpsArb(keys, 4, 8), { seed, numRuns: 200 })) {
    if (simulate(ops).records.length >= minRecords) return ops;
  }
  throw new Error(`no sample of seed ${seed} has ${minRecords} records`);
}

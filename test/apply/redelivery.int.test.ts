// Redelivery is exact in exactly-once mode (both strategies), and double counts in at-least-once mode: the same
// stream (all five reference systems on one source table) replayed under Lambda's redelivery patterns.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy, WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  deliverAll,
  diffCells,
  expectedCells,
  Pipeline,
  replay,
  type ShardStream,
} from '../support/pipeline.ts';
import { mixedOps, ORACLE, rng, run } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const specs = Object.values(ORACLE);
let pipeline: Pipeline;
let shard: ShardStream;
let expected: Map<string, string>;

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'redeliver');
  await run(pipeline, mixedOps(21));
  const shards = await pipeline.readStream();
  expect(shards).toHaveLength(1); // DynamoDB Local keeps a small table's stream in one shard
  shard = shards[0] as ShardStream;
  expect(shard.records.length).toBeGreaterThan(180);
  expected = expectedCells(specs, replay(shards));
});

/** Delivers [from, to) as one batch and expects it to succeed. */
async function batch(handler: ReturnType<Pipeline['handler']>, from: number, to: number): Promise<void> {
  const [res] = await deliver(handler, shard, { from, to, batchSize: to - from });
  expect(res?.batchItemFailures).toEqual([]);
}

// the row watermark's condition is written by each write API (PartiQL, the default, and UpdateItem); the transaction
// strategy's conditions are on watermark items, one way for both
describe.each<{ strategy: ExactlyOnceStrategy; api: WriteApi }>([
  { strategy: 'row-watermark', api: 'partiql' },
  { strategy: 'row-watermark', api: 'update-item' },
  { strategy: 'transaction', api: 'partiql' },
])('exactly-once redelivery ($strategy, $api)', ({ strategy, api }) => {
  const fresh = async () => {
    const table = await pipeline.newAggregateTable(`agg-${strategy}-${api}`);
    return { table, handler: pipeline.handler({ table, strategy, write: { api } }) };
  };

  it('the same batch twice, and an old batch again after later ones', async () => {
    const { table, handler } = await fresh();
    const n = shard.records.length;
    for (let i = 0; i < n; i += 100) {
      await batch(handler, i, Math.min(n, i + 100));
      await batch(handler, i, Math.min(n, i + 100));
    }
    await batch(handler, 0, 100);
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
  });

  it('a full delivery, then every batch again cut into bisected halves and quarters', async () => {
    const { table, handler } = await fresh();
    await deliverAll(handler, [shard], 100);
    const n = shard.records.length;
    for (let i = 0; i < n; i += 100) {
      const end = Math.min(n, i + 100);
      const mid = Math.floor((i + end) / 2);
      await batch(handler, i, mid);
      await batch(handler, mid, end);
      await batch(handler, i, Math.floor((i + mid) / 2));
      await batch(handler, Math.floor((mid + end) / 2), end);
    }
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
  });

  it('overlapping batches: records 0..60, then 40..100, then the rest', async () => {
    const { table, handler } = await fresh();
    await batch(handler, 0, 60);
    await batch(handler, 40, 100);
    for (const res of await deliver(handler, shard, { from: 100, batchSize: 100 }))
      expect(res.batchItemFailures).toEqual([]);
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
  });

  it('random windows that restart up to 40 records before the progress point (Lambda retries, bisects, replays)', async () => {
    const { table, handler } = await fresh();
    const random = rng(strategy === 'transaction' ? 7 : api === 'update-item' ? 9 : 8);
    const n = shard.records.length;
    let windows = 0;
    for (let pos = 0; pos < n; windows++) {
      const from = Math.max(0, pos - Math.floor(random() * 41));
      const to = Math.min(n, from + 1 + Math.floor(random() * 100));
      await batch(handler, from, to);
      pos = Math.max(pos, to);
    }
    expect(windows).toBeGreaterThan(3);
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
  });
});

describe('at-least-once redelivery', () => {
  it('counts a redelivered batch twice, exactly by its net deltas, and leaves min/max/last alone', async () => {
    const table = await pipeline.newAggregateTable('agg-alo');
    const handler = pipeline.handler({ table, mode: 'at-least-once' });
    await deliverAll(handler, [shard], 100);
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
    await batch(handler, 100, 200); // Lambda retries the second batch

    const before = expectedCells(specs, replay([shard], { upTo: 100 }));
    const after = expectedCells(specs, replay([shard], { upTo: 200 }));
    const doubled = new Map(expected);
    const additive = (key: string) => !key.endsWith('|power') && !key.endsWith('|peak');
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      if (!additive(key)) continue;
      const delta = new Decimal(after.get(key) ?? 0).minus(before.get(key) ?? 0);
      const v = new Decimal(doubled.get(key) ?? 0).plus(delta);
      if (v.isZero()) doubled.delete(key);
      else doubled.set(key, v.toString());
    }
    const actual = await pipeline.canonical(table);
    expect(diffCells(actual, doubled)).toEqual([]);
    // and that differs from the truth in many cells: the double count the docs warn about
    expect(diffCells(actual, expected).length).toBeGreaterThan(20);
  });
});

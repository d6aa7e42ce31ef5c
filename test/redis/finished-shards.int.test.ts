// The Redis buffer writes exactly-once states on rows only when a shard writes straight to DynamoDB (Redis down,
// `onRedisDown: 'direct'`); the flusher's writes carry flush markers, never shard states. So a batch's
// `finishedShards` matter on its direct writes: a child shard writing directly removes its finished parent's
// states from the rows it writes, as the direct applier does, and the counts stay exact through redelivery,
// the rejoin and the flush.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import {
  createBufferedApplier,
  createFlusher,
  listFences,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracle } from '../oracle/oracle.ts';
import { STREAM_ARN, simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import { flakyClient } from './fail-fast-redis.ts';
import { type BufferEnv, canonicalOf, MINUTE, sampleWorkload, scanItems, startBufferEnv } from './harness.ts';

const PARENT = 'shardId-parent';
const CHILD = 'shardId-child';

type Item = Record<string, AttributeValue>;
const rowKey = (i: Item) => `${i.pk?.S}|${i.sk?.S}`;

describe('Redis buffer: finished shards', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const { rollups, compiled, oracleRollups } = testRollups('UTC');
  const sim = simulate(sampleWorkload(7, 60));
  const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
  // the parent's records, then the child's (a child's sequence numbers follow its parent's)
  const half = Math.floor(sim.records.length / 2);
  const cut = (records: readonly DynamoDBRecord[], n: number) =>
    Array.from({ length: n }, (_, i) =>
      records.slice(Math.floor((i * records.length) / n), Math.floor(((i + 1) * records.length) / n)),
    );
  const parent = cut(sim.records.slice(0, half), 3);
  const child = cut(sim.records.slice(half), 3);
  const parentState = shardStateAttrs(STREAM_ARN, PARENT).attr;
  const childState = shardStateAttrs(STREAM_ARN, CHILD).attr;

  it("a child writing directly removes its finished parent's states from the rows it writes; counts stay exact", async () => {
    const { table, clock, common } = await env.fixture('rb-finished', rollups, Date.UTC(2026, 0, 10, 12));
    const flaky = await flakyClient(env.server.url);
    const applier = createBufferedApplier({
      ...common,
      // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
      lateRecords: 'apply',
      redis: flaky.client,
      onRedisDown: 'direct',
    });
    const deliver = async (records: DynamoDBRecord[], shardId: string, finishedShards?: string[]) => {
      clock.advance(MINUTE);
      const { buffer } = await applier.apply({
        records,
        shardId,
        ...(finishedShards === undefined ? {} : { finishedShards }),
      });
      return buffer.mode;
    };
    try {
      expect(await deliver(parent[0] as DynamoDBRecord[], PARENT)).toBe('redis');
      flaky.down();
      // the parent's last batches go straight to DynamoDB: their rows carry the parent's state
      expect(await deliver(parent[1] as DynamoDBRecord[], PARENT)).toBe('direct');
      expect(await deliver(parent[2] as DynamoDBRecord[], PARENT)).toBe('direct');
      const withParent = new Set(
        (await scanItems(env.ddb, table)).filter((i) => i[parentState] !== undefined).map(rowKey),
      );
      expect(withParent.size).toBeGreaterThan(0);
      // the parent is finished; its child writes directly too, naming it
      expect(await deliver(child[0] as DynamoDBRecord[], CHILD, [PARENT])).toBe('direct');
      const afterChild = await scanItems(env.ddb, table);
      const childRows = afterChild.filter((i) => i[childState] !== undefined);
      expect(childRows.filter((i) => withParent.has(rowKey(i))).length).toBeGreaterThan(0); // rows both wrote
      expect(childRows.filter((i) => i[parentState] !== undefined).map(rowKey)).toEqual([]);
      // rows the child did not write keep the parent's state (nothing else removes it)
      expect(afterChild.some((i) => i[parentState] !== undefined && i[childState] === undefined)).toBe(true);
      // the child's batch again, cut differently: its own state makes it a no-op
      const again = [
        ...(child[0] as DynamoDBRecord[]).slice(1),
        ...(child[1] as DynamoDBRecord[]).slice(0, 1),
      ];
      expect(await deliver(again, CHILD, [PARENT])).toBe('direct');
      await flaky.up();
      // Redis is back: the child rejoins the buffer, the flusher rejoins the finished parent's fence
      for (const batch of child.slice(1)) expect(await deliver(batch, CHILD, [PARENT])).not.toBe('direct');
      clock.advance(5 * MINUTE);
      const report = await createFlusher({ ...common, graceMs: 0, keepFlushedMs: 0 }).flushClosed({
        all: true,
      });
      expect(report.skipped).toBeUndefined();
      expect(await listFences(env.ddb, table)).toEqual([]);
      expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(expected);
    } finally {
      flaky.client.disconnect();
    }
  });
});

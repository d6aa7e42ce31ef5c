// The Redis buffered applier orders a batch and drops repeated records before it folds and moves the shard's
// watermark: [seq 200, seq 100] redelivered, and a record twice in one batch, count once.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { canonicalCells } from '../support/pipeline.ts';
import { type BufferEnv, MINUTE, scanItems, startBufferEnv } from './harness.ts';

const rollup = defineRollup({
  name: 'orders',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { n: count() },
});
const T = Date.UTC(2026, 0, 10, 12, 0, 7);
const insert = (seq: string, id: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: T / 1000,
    NewImage: { id: { S: id }, g: { S: 'x' }, ts: { N: String(T) } },
  },
});

describe('Redis buffer: batch order and repeats', { timeout: 480_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('[seq 200, seq 100] redelivered and a record twice in a batch count once', async () => {
    const { table, clock, common } = await env.fixture('rb-order', [rollup], T);
    const applier = createBufferedApplier(common);
    const batch = [insert('200', 'b'), insert('100', 'a'), insert('200', 'b')];
    for (const records of [batch, batch, [...batch].reverse(), [insert('100', 'a')]])
      expect((await applier.apply({ records, shardId: 'shardId-1' })).poison).toEqual([]);
    clock.advance(4 * MINUTE);
    await createFlusher({ ...common, graceMs: 0, keepFlushedMs: 0 }).flushClosed();
    const cells = canonicalCells([rollup.compiled], await scanItems(env.ddb, table));
    expect(Object.fromEntries(cells)).toEqual({ 'orders|[["string","x"]]|day|D2026-01-10|n': '2' });
  });
});

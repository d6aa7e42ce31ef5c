// A full Redis (`maxmemory-policy noeviction`, used memory over `maxmemory`) drains by itself also with the default
// `keepFlushedMs`: the flusher's lock, seal and done scripts run `allow-oom`, and a bucket flushed while Redis uses
// 90 % of its `maxmemory` or more is deleted at once instead of being kept for readers, so the writers' next batch
// fits. (test/review/s19-redis-maxmemory.int.test.ts covers `keepFlushedMs: 0`.)
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { type BufferEnv, scanItems, startBufferEnv } from './harness.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = defineRollup({
  name: 'full',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

let env: BufferEnv;
beforeAll(async () => {
  env = await startBufferEnv();
});
afterAll(async () => {
  await env?.redis.config('SET', 'maxmemory', '0').catch(() => {});
  await env?.close();
});

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
let seq = 9000;
const rec = (store: string): DynamoDBRecord => {
  seq += 1;
  const id = `o${seq}`;
  return {
    eventID: id,
    eventName: 'INSERT',
    eventSourceARN: 'arn:test:stream',
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, storeId: { S: store }, t: { N: String(START) } },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: Math.floor(START / 1000),
    },
  };
};

const usedMemory = async (): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await env.redis.info('memory'))?.[1]);

describe('a full Redis drains with flushed buckets kept for readers', () => {
  it('deletes a bucket flushed near maxmemory at once, so the writers go on', async () => {
    const { table, clock, common } = await env.fixture('full', [orders], START);
    const applier = createBufferedApplier(common);
    const flusher = createFlusher({ ...common, graceMs: 0 }); // keepFlushedMs: the default 5 minutes
    await applier.apply({ records: [rec('first')], shardId: 's-1' });
    // 1 MB of headroom: what the flush frees must outweigh Redis' own fluctuating overhead (Lua, client buffers)
    await env.redis.config('SET', 'maxmemory-policy', 'noeviction');
    await env.redis.config('SET', 'maxmemory', String((await usedMemory()) + 1024 * 1024));
    let refused: string | undefined;
    for (let i = 0; i < 50 && refused === undefined; i++) {
      const batch = Array.from({ length: 1_000 }, (_, j) => rec(`store-${i}-${j}-${'x'.repeat(40)}`));
      await applier.apply({ records: batch, shardId: 's-1' }).catch((e: unknown) => {
        refused = isDynotallyError(e) ? e.message : String(e);
      });
    }
    expect(refused).toMatch(/OOM/);
    clock.advance(2 * 60_000);
    const report = await flusher.flushClosed();
    expect(report.buckets).toBe(1);
    // the flushed bucket is gone (not kept for readers), so the next batch fits
    expect(await env.redis.zcard(`${common.keyPrefix}done`)).toBe(0);
    expect(await env.redis.keys(`${common.keyPrefix}d:*`)).toEqual([]);
    await applier.apply({ records: [rec('after')], shardId: 's-1' });
    clock.advance(2 * 60_000);
    await flusher.flushClosed();
    const rows = await scanItems(env.ddb, table);
    expect(['first', 'after'].map((s) => rows.find((i) => i.pk?.S === `full#s${s}`)?.n?.N)).toEqual([
      '1',
      '1',
    ]);
  });
});

// Late records on the Redis buffered path (`dynotally worker --redis`). A buffered batch is counted once because its
// shard's watermark in Redis (`s:<shard>`) says so to every redelivery; that key expires `keyTtlMs` after the
// shard's last batch (at least a bucket + 24 h before this change), and the bucket it went to is flushed long
// before. A redelivery later than that (a consumer that crashed after buffering, before its checkpoint, and read the
// records again more than a day later: AWS keeps them past 24 h "subject to trimming") was buffered and flushed a
// second time. With `lateRecords: 'dead-letter'` a record past 24 h 30 min goes to the dead letters as
// RECORD_TOO_OLD instead, also on the direct fallback (`onRedisDown: 'direct'`, whose row states are pruned after
// 25 h); and `keyTtlMs` may no longer be below 25 hours, so the watermark outlives every record still counted.
// `'dead-letter'` is now the default (it was `'apply'`, whose double count the end of the first test shows).
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  bufferKeys,
  createBufferedApplier,
  createFlusher,
  listFences,
  shardTag,
  WATERMARK_KEEP_MS,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracleTotals, readTotals } from '../review/s26r-totals.ts';
import { closedPort } from '../support/closed-port.ts';
import { failFastRedis } from './fail-fast-redis.ts';
import { orderRecords, storeOrders } from './store-orders.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const HOUR = 3_600_000;

function collector(): { letters: DeadLetter[]; send(batch: readonly DeadLetter[]): Promise<void> } {
  const letters: DeadLetter[] = [];
  return {
    letters,
    send: async (batch) => {
      letters.push(...batch);
    },
  };
}

describe('late records on the Redis buffer', () => {
  it("a batch redelivered 26 h later, after its bucket was flushed and its shard's watermark expired, counts once", async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('latebuf', [orders], START);
    const rec = orderRecords(1000);
    const batch = [rec('s-1', START), rec('s-1', START + 1_000)];
    const flusher = createFlusher(common);
    await createBufferedApplier({ ...common, lateRecords: 'dead-letter' }).apply({
      records: batch,
      shardId: 'shard-1',
    });
    clock.advance(2 * 60_000);
    await flusher.flushClosed();
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, ['s-1'])).toEqual({ 's-1': 2 });

    // 26 hours later the same batch comes again, with one new record, to a fresh applier (no cached watermark)
    clock.set(START + 26 * HOUR);
    const fresh = rec('s-1', START + 26 * HOUR);
    // and one without a sequence number (poison: its letter is keyed by its place in the batch, `index-3`)
    const { SequenceNumber: _, ...unnumbered } = rec('s-1', START + 26 * HOUR).dynamodb ?? {};
    const again = [...batch, fresh, { ...fresh, eventID: 'x', dynamodb: unnumbered }];
    const held = collector();
    const first = await createBufferedApplier({
      ...common,
      lateRecords: 'dead-letter',
      deadLetter: held,
    }).apply({
      records: again,
      shardId: 'shard-1',
    });
    // the watermark still holds them: letters without pending rows, the new record buffered
    expect(held.letters.map((l) => [l.code, l.pendingRows])).toEqual([
      ['RECORD_TOO_OLD', []],
      ['RECORD_TOO_OLD', []],
      ['RECORD_MALFORMED', undefined],
    ]);
    expect(held.letters[2]?.sequenceNumber).toBe('index-3');
    expect(first.poison.map((p) => p.index)).toEqual([0, 1, 3]);
    expect(first.report.records).toBe(4);
    clock.advance(2 * 60_000);
    await flusher.flushClosed();
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals([...batch, fresh], ['s-1']));

    // the shard's watermark expires (what Redis does keyTtlMs after the shard's last batch), then the batch again
    await env.redis.del(bufferKeys(keyPrefix).shard(shardTag('arn:test:stream', 'shard-1')));
    const unknown = collector();
    await createBufferedApplier({ ...common, lateRecords: 'dead-letter', deadLetter: unknown }).apply({
      records: batch,
      shardId: 'shard-1',
    });
    // nothing says the records were counted: every row listed (their replay is refused without replayLate)
    expect(unknown.letters.map((l) => [l.code, l.pendingRows?.length])).toEqual([
      ['RECORD_TOO_OLD', 2],
      ['RECORD_TOO_OLD', 2],
    ]);
    clock.advance(2 * 60_000);
    await flusher.flushClosed();
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals([...batch, fresh], ['s-1']));

    // what the guard prevents: applied (`'apply'`, the default before), the batch is buffered and flushed a second time
    await env.redis.del(bufferKeys(keyPrefix).shard(shardTag('arn:test:stream', 'shard-1')));
    await createBufferedApplier({ ...common, lateRecords: 'apply' }).apply({
      records: batch,
      shardId: 'shard-1',
    });
    clock.advance(2 * 60_000);
    await flusher.flushClosed();
    expect(await readTotals(reader, orders, ['s-1'])).toEqual({ 's-1': 5 });
  });

  it('the direct fallback (Redis down) writes no late record, and opens no fence for it', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('latedir', [orders], START);
    const rec = orderRecords(2000);
    const late = [rec('s-1', START), rec('s-1', START + 1_000)];
    clock.set(START + 26 * HOUR);
    const onTime = rec('s-2', START + 26 * HOUR);
    // nothing listens there: every command fails (a command of a lazy client would connect to a live server)
    const down = failFastRedis(`redis://127.0.0.1:${await closedPort()}`);
    const letters = collector();
    try {
      const out = await createBufferedApplier({
        ...common,
        redis: down,
        onRedisDown: 'direct',
        // lateRecords: 'dead-letter', the default
        deadLetter: letters,
      }).apply({ records: [...late, onTime] as DynamoDBRecord[], shardId: 'shard-1' });
      expect(out.buffer.mode).toBe('direct');
    } finally {
      down.disconnect();
    }
    expect(letters.letters.map((l) => [l.code, l.pendingRows?.length])).toEqual([
      ['RECORD_TOO_OLD', 2],
      ['RECORD_TOO_OLD', 2],
    ]);
    // the on-time record went direct (its fence is open), the late ones nowhere
    expect((await listFences(env.ddb, table)).map((f) => f.from)).toEqual([
      onTime.dynamodb?.SequenceNumber?.padStart(40, '0'),
    ]);
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, ['s-1', 's-2'])).toEqual({ 's-1': 0, 's-2': 1 });
  });

  it("with onRedisDown 'fail', Redis down: the batch fails before any letter (its retry probes the watermark)", async () => {
    const { clock, common } = await env.fixture('latefail', [orders], START);
    const rec = orderRecords(3000);
    clock.set(START + 26 * HOUR);
    const down = failFastRedis(`redis://127.0.0.1:${await closedPort()}`);
    const letters = collector();
    try {
      const applier = createBufferedApplier({
        ...common,
        redis: down,
        // lateRecords: 'dead-letter', the default
        deadLetter: letters,
      });
      await expect(applier.apply({ records: [rec('s-1', START)], shardId: 'shard-1' })).rejects.toMatchObject(
        {
          code: 'REDIS_UNAVAILABLE',
        },
      );
    } finally {
      down.disconnect();
    }
    // a letter listing the rows of a record Redis may hold would let a forced replay count it twice
    expect(letters.letters).toEqual([]);
  });

  it('keyTtlMs below 25 hours is refused by the applier, whatever its buckets', () => {
    const common = {
      redis: env.redis,
      client: env.ddb,
      table: 'agg',
      rollups: [orders],
      bucketMs: 15 * 60_000,
    };
    expect(() => createBufferedApplier({ ...common, keyTtlMs: 24 * HOUR + 15 * 60_000 })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/at least 25 hours/),
      }),
    );
    expect(() => createBufferedApplier({ ...common, keyTtlMs: WATERMARK_KEEP_MS })).not.toThrow();
  });
});

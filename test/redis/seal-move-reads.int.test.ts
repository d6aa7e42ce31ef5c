// Live reads that overlap `flushClosed({ all: true })`, whose seal move renames open buckets to a bucket *below*
// their old names (docs/redis-buffer.md, "Reads" and "Flushing open buckets"). The flush markers carry the newest
// move (`<bucket>^<move>@<epoch>`), each snapshot the seal and epoch it saw, and a row whose marker names a move
// made after the snapshot holds every snapshot bucket above the snapshot's seal. Each case reads Redis first and
// DynamoDB after, with flushes in between, and compares with what was counted. The review's own case (snapshot
// before the move, DynamoDB after the flush) is test/review/s19b-redis-seal-move-read.int.test.ts.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  type LiveSnapshot,
  releaseTableBuffer,
  withLive,
} from '../../packages/dynotally/src/redis/index.ts';
import { type BufferFixture, scanItems } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const amounts = defineRollup({
  name: 'sm',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
  leaderboard: { measure: 'n', granularities: ['all'] },
});

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 5); // the open bucket closes at 12:01; an `all` flush seals at 11:59:55
const insert = streamInserts({ from: 7000, idPrefix: 'm' });
const rec = (t: number, amount: string) => insert({ g: { S: 'a' }, amount: { N: amount } }, t);

async function setup(name: string): Promise<BufferFixture & { write(amount: string): Promise<void> }> {
  const fx = await env.fixture(name, [amounts], START);
  const applier = createBufferedApplier(fx.common);
  return {
    ...fx,
    write: async (amount) => {
      await applier.apply({ records: [rec(fx.clock.now(), amount)], shardId: 's-1' });
    },
  };
}

/** The merged `ALL` row (n, total) and the merged leaderboard value, from snapshots taken before `items`. */
function merged(
  items: readonly Record<string, AttributeValue>[],
  live: LiveSnapshot,
  ranked: LiveSnapshot,
): { n?: string; total?: string; lbv?: string } {
  const row = items.find((i) => i.pk?.S?.startsWith('sm#') && i.sk?.S === 'ALL');
  const pk = row?.pk?.S ?? live.pks()[0] ?? '';
  const item = row ?? { pk: { S: pk }, sk: { S: 'ALL' } };
  const m = withLive(live, item);
  const lbv = withLive(ranked, item).lbv?.N;
  return { n: m.n?.N, total: m.total?.N, lbv };
}

describe('reads overlapping a seal move (flushClosed({ all: true }))', () => {
  it('snapshot before the move, DynamoDB read after the move but before the flush: nothing lost', async () => {
    const fx = await setup('smbefore');
    await fx.write('5');
    const live = createRedisLiveSource(fx.common);
    const snaps: LiveSnapshot[] = [];
    const seen: Array<ReturnType<typeof merged>> = [];
    const flusher = createFlusher({
      ...fx.common,
      onStep: async (s) => {
        if (s.step === 'sealed') seen.push(merged(await scanItems(env.ddb, fx.table), snaps[0]!, snaps[1]!));
      },
    });
    snaps.push(await live.readAll(), await live.readRanked('sm', 'ALL'));
    await flusher.flushClosed({ all: true });
    const after = merged(await scanItems(env.ddb, fx.table), snaps[0]!, snaps[1]!);
    expect({ seen, after }).toEqual({
      seen: [{ n: '1', total: '5', lbv: '1' }],
      after: { n: '1', total: '5', lbv: '1' },
    });
  });

  it('snapshot before the move, DynamoDB read after a later regular flush of the same row: counted once', async () => {
    const fx = await setup('smlater');
    const live = createRedisLiveSource(fx.common);
    await fx.write('5');
    const snap = await live.readAll();
    const ranked = await live.readRanked('sm', 'ALL');
    await createFlusher(fx.common).flushClosed({ all: true }); // 12:01 → 11:59:55, flushed
    await fx.write('7'); // bucket 12:01 again
    fx.clock.advance(2 * 60_000);
    const regular = await createFlusher(fx.common).flushClosed(); // flushes 12:01: the row's marker is now 12:01
    expect(regular).toMatchObject({ buckets: 1, rowsWritten: 1 });
    // the snapshot held the first record under 12:01; the row holds both records and marker 12:01^11:59:55
    expect(merged(await scanItems(env.ddb, fx.table), snap, ranked)).toEqual({
      n: '2',
      total: '12',
      lbv: '2',
    });
  });

  it('two `all` flushes: a snapshot before either and one between them are each counted once', async () => {
    const fx = await setup('smtwice');
    const live = createRedisLiveSource(fx.common);
    await fx.write('5');
    const first = [await live.readAll(), await live.readRanked('sm', 'ALL')] as const;
    await createFlusher(fx.common).flushClosed({ all: true });
    fx.clock.advance(1_000);
    await fx.write('7'); // 12:01 again, after the first move
    const between = [await live.readAll(), await live.readRanked('sm', 'ALL')] as const;
    // between the two flushes, DynamoDB holds the first record and Redis the second: both counted, once
    expect(merged(await scanItems(env.ddb, fx.table), ...between)).toEqual({ n: '2', total: '12', lbv: '2' });
    await createFlusher(fx.common).flushClosed({ all: true });
    const items = await scanItems(env.ddb, fx.table);
    expect(merged(items, ...first)).toEqual({ n: '2', total: '12', lbv: '2' });
    expect(merged(items, ...between)).toEqual({ n: '2', total: '12', lbv: '2' });
  });

  it('a flushed bucket deleted at once (no readers’ margin, as under the 90 % memory rule): counted once', async () => {
    const fx = await setup('smdrop');
    const live = createRedisLiveSource(fx.common);
    await fx.write('5');
    const snap = [await live.readAll(), await live.readRanked('sm', 'ALL')] as const;
    await createFlusher({ ...fx.common, keepFlushedMs: 0 }).flushClosed({ all: true });
    expect((await live.readAll()).pks()).toEqual([]);
    expect(merged(await scanItems(env.ddb, fx.table), ...snap)).toEqual({ n: '1', total: '5', lbv: '1' });
  });

  it('after Redis lost its keys, a move made before the loss does not hide the new writes', async () => {
    const fx = await setup('smloss');
    const live = createRedisLiveSource(fx.common);
    await fx.write('5');
    await createFlusher(fx.common).flushClosed({ all: true }); // row marker: 11:59:55^11:59:55@<epoch 1>
    for (const key of await env.redis.keys(`${fx.keyPrefix}*`)) await env.redis.del(key);
    // its id went with them: the table is handed to the emptied Redis (docs/redis-buffer.md, "One buffer per table")
    await releaseTableBuffer({ client: env.ddb, table: fx.table, prefix: fx.keyPrefix });
    fx.clock.advance(30_000);
    await fx.write('7'); // a fresh Redis: no seal, a new epoch
    const snap = [await live.readAll(), await live.readRanked('sm', 'ALL')] as const;
    expect(merged(await scanItems(env.ddb, fx.table), ...snap)).toEqual({ n: '2', total: '12', lbv: '2' });
    // and a move after that snapshot (still no seal when it was taken) is recognised as one
    await createFlusher(fx.common).flushClosed({ all: true });
    expect(merged(await scanItems(env.ddb, fx.table), ...snap)).toEqual({ n: '2', total: '12', lbv: '2' });
  });
});

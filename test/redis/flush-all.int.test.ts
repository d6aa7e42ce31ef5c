// `flushClosed({ all: true })` (shutdown, `dynotally flush --all`) flushes the open buckets without naming them by
// their future closing instant: their cells move, atomically, into a bucket named by the seal (`now − graceMs`, or
// the seal in force + 1 ms), so no row marker written by a flush lies in the future. Covered here: two open buckets
// holding the same cells (data and leaderboard deltas) merge exactly, an early flush twice at the same instant
// flushes the second batch too, and writes after an early flush still count after Redis lost every key.
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { flushMarker } from '../../packages/dynotally/src/redis/flush-marker.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  type LiveSnapshot,
  releaseTableBuffer,
} from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const orders = defineRollup({
  name: 'fa',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
  leaderboard: { measure: 'n', granularities: ['all'] },
});

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const MIN = 60_000;
const QUARTER = 15 * MIN;
const insert = streamInserts({ from: 5000, idPrefix: 'o' });
const rec = (t: number, amount: string) => insert({ storeId: { S: 's-1' }, amount: { N: amount } }, t);

describe('flushClosed({ all: true })', () => {
  it('flushes open buckets under the seal, never a marker from the future', async () => {
    const { table, clock, common } = await env.fixture('flushall', [orders], START);
    const options = { ...common, bucketMs: QUARTER };
    const applier = createBufferedApplier(options);
    // two open buckets with the same cells: 12:15 (written at 12:01) and 12:30 (written at 12:16)
    await applier.apply({ records: [rec(START, '0.1')], shardId: 's-1' });
    clock.advance(QUARTER);
    await applier.apply({ records: [rec(clock.now(), '0.2')], shardId: 's-1' });
    const grace = 20 * MIN; // keeps both buckets open at 12:16
    const live = createRedisLiveSource({ redis: env.redis, rollups: [orders], keyPrefix: common.keyPrefix });
    const atSeal: LiveSnapshot[] = [];
    const flusher = createFlusher({
      ...options,
      graceMs: grace,
      onStep: async (s) => {
        if (s.step === 'sealed' && atSeal.length === 0)
          atSeal.push(await live.readAll(), await live.readRanked('fa', 'ALL'));
      },
    });
    const first = await flusher.flushClosed({ all: true });
    const seal = clock.now() - grace;
    expect(first).toMatchObject({ seal, buckets: 1, rowsWritten: 2, rowsAlreadyApplied: 0 });
    const all = async () => (await scanItems(env.ddb, table)).find((i) => i.sk?.S === 'ALL');
    const epoch = async () => await env.redis.get(`${common.keyPrefix}ep`);
    expect(await all()).toMatchObject({
      n: { N: '2' },
      amt: { N: '0.3' },
      lbv: { N: '2' },
      _fb: { S: flushMarker(seal, `${seal}@${await epoch()}`) }, // the bucket, and the seal move it is
    });
    // the merged bucket, as readers saw it right after the seal: one bucket, the sums of both
    const pk = (await all())?.pk?.S as string;
    const pending = (snap: LiveSnapshot | undefined, marker?: string) =>
      Object.fromEntries([...(snap?.pending(pk, 'ALL', marker) ?? [])].map(([k, v]) => [k, String(v)]));
    expect(pending(atSeal[0])).toEqual({ n: '2', amt: '0.3' });
    expect(pending(atSeal[1])).toEqual({ n: '2', lbv: '2' });
    expect(await env.redis.zcard(`${common.keyPrefix}open`)).toBe(0);

    // the same instant again (a frozen clock, two `flush --all` in one second): the new batch still flushes
    await applier.apply({ records: [rec(clock.now(), '0.3')], shardId: 's-1' });
    const second = await flusher.flushClosed({ all: true });
    expect(second).toMatchObject({ seal: seal + 1, buckets: 1, rowsWritten: 2, rowsAlreadyApplied: 0 });
    expect(await all()).toMatchObject({
      n: { N: '3' },
      amt: { N: '0.6' },
      _fb: { S: flushMarker(seal + 1, `${seal + 1}@${await epoch()}`) },
    });

    // Redis loses every key; a writer a minute later, then a regular flush once its bucket (12:30) closed
    await env.redis.flushall();
    // its id went with them: the table is handed to the emptied Redis (docs/redis-buffer.md, "One buffer per table")
    await releaseTableBuffer({ client: env.ddb, table, prefix: common.keyPrefix });
    clock.advance(MIN);
    await createBufferedApplier(options).apply({ records: [rec(clock.now(), '1')], shardId: 's-1' });
    clock.advance(QUARTER);
    const later = await createFlusher(options).flushClosed();
    expect(later).toMatchObject({ buckets: 1, rowsWritten: 2, rowsAlreadyApplied: 0 });
    expect(await all()).toMatchObject({ n: { N: '4' }, amt: { N: '1.6' }, lbv: { N: '4' } });
    expect((await live.readAll()).pks()).toEqual([pk]); // the flushed bucket, kept for readers
    expect(pending(await live.readAll(), (await all())?._fb?.S)).toEqual({}); // … but nothing pending: the row absorbed it
  });
});

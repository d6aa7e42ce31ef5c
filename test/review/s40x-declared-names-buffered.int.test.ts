// Review s40x (groupBy: { names, fn }, session 40): the Redis buffer with a groupBy function with declared names.
// Checked sound, kept as a regression test (the s39q tests cover the direct Applier only): the buffered applier
// refuses the view whose group is { userId } (VALUE_INVALID, its dead letter, nothing of it buffered), the flusher
// writes the orders' rows alone, and the live total and top() (buffer merged with the table) answer the orders only.
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
} from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE, scanItems } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });

// a union of shapes, as a function built from data returns (TypeScript would refuse the literal union)
const byStore = defineRollup({
  name: 'byStore',
  groupBy: {
    names: ['storeId'],
    fn: (item): Record<string, string> =>
      item.type === 'order' ? { storeId: String(item.who) } : { userId: String(item.who) },
  },
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
});

const env = useBufferEnv();
const insert = streamInserts({ from: 1000, idPrefix: 'i' });
const rec = (type: string, t: number) => insert({ type: { S: type }, who: { S: 's-1' } }, t);

describe('the Redis buffer with a groupBy function with declared names (s40x)', () => {
  it('refuses the record whose group has other names before buffering it; the flush writes the orders alone', async () => {
    const start = Date.UTC(2026, 10, 22, 12, 0, 0);
    const { table, clock, common } = await env.fixture('s40x', [byStore], start);
    const applier = createBufferedApplier(common);
    const out = await applier.apply({
      records: [rec('order', start), rec('view', start), rec('order', start)],
      shardId: 's-1',
    });
    expect(out.poison.map((p) => [p.record.eventID, p.error.code])).toEqual([['i1002', 'VALUE_INVALID']]);
    expect(out.poison[0]?.error.message).toContain(
      "returned a group named 'userId', not the declared names 'storeId'",
    );

    const live = createQueryClient({
      client: env.ddb,
      table,
      rollups: [byStore],
      liveSource: createRedisLiveSource(common),
      now: clock.now,
    });
    expect((await live.total(byStore, { storeId: 's-1' }, 'all')).values).toEqual({ n: 2 });
    const top = await live.top(byStore, { bucket: 'all' });
    expect(top.entries.map((e) => [e.group, e.value])).toEqual([[{ storeId: 's-1' }, 2]]);

    clock.advance(2 * MINUTE);
    await createFlusher(common).flushClosed();
    const rows = await scanItems(env.ddb, table);
    expect(rows.filter((r) => r.sk?.S === 'ALL').map((r) => [r.pk?.S, r.n?.N])).toEqual([
      ['byStore#ss-1', '2'],
    ]);
    expect((await live.total(byStore, { storeId: 's-1' }, 'all')).values).toEqual({ n: 2 });
  });
});

// Review s25e (query client + Redis live source): totalMany() given one group twice, or one group spelt two
// ways ({ N: '1.50' } and 1.5 name the same partition key), merges the live deltas into the shared row once per
// occurrence: `mergeSnapshot` walks the groups' partition keys and adds `pending()` to the row in place each
// time, so the second pass adds the live buckets again.
// Scenario: group 1.5 has one record flushed to DynamoDB (amount 5) and one live in Redis (amount 7); total()
// answers n 2, total 12 (the oracle). totalMany([{ g: 1.5 }, { g: { N: '1.50' } }, { g: 1.5 }]) answered
// n 4, total 26 in all three results: the live record counted three times (the flushed one once).
// Fixed: mergeSnapshot merges each distinct partition key once. The test asserts that every result equals
// total() of the group alone.
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
} from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const perAccount = defineRollup({
  name: 'acct',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), total: sum('amount') },
});

describe('review s25e: totalMany with a repeated group and live buckets', () => {
  it('each occurrence of a group gets the same values as total() of it alone', async () => {
    const { common, clock } = await env.fixture('s25elive', [perAccount], START);
    const applier = createBufferedApplier(common);
    const insert = streamInserts({ from: 1000, idPrefix: 'i' });
    // one record flushed to DynamoDB (bucket 12:01), then one live in Redis (bucket 12:02), in group 1.5
    await applier.apply({
      records: [insert({ g: { N: '1.5' }, amount: { N: '5' } }, START + 1_000)],
      shardId: 's-1',
    });
    clock.set(START + MINUTE + 10_000);
    await createFlusher(common).flushClosed();
    await applier.apply({
      records: [insert({ g: { N: '1.5' }, amount: { N: '7' } }, START + MINUTE + 20_000)],
      shardId: 's-1',
    });
    const query = createQueryClient({
      client: common.client,
      table: common.table,
      rollups: [perAccount],
      liveSource: createRedisLiveSource(common),
      now: clock.now,
    });
    const alone = await query.total(perAccount, { g: 1.5 }, 'all');
    expect(alone.values).toEqual({ n: 2, total: 12 });
    const many = await query.totalMany(perAccount, [{ g: 1.5 }, { g: { N: '1.50' } }, { g: 1.5 }], 'all');
    // observed: { n: 4, total: 26 } three times (the live record added once per occurrence)
    expect(many.results.map((r) => r.values)).toEqual([alone.values, alone.values, alone.values]);
    const day = { from: START - 12 * 3_600_000, to: START + 12 * 3_600_000 };
    const dayMany = await query.totalMany(perAccount, [{ g: 1.5 }, { g: 1.5 }], day);
    expect(dayMany.results.map((r) => r.values)).toEqual([alone.values, alone.values]);
  });
});

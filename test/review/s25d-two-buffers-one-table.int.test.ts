// Review s25d (Redis buffer, two buffers writing the same aggregate rows): the flush marker `_fb` is one attribute
// per row, shared by every buffer, and a bucket is named only by the instant it closes. Two buffers — two key
// prefixes on one Redis (e.g. one per worker group, to spread a Redis Cluster's load over several hash tags, which
// the one-slot `{buffer}` tag otherwise forbids), or two Redis instances (two regions, two source tables feeding one
// rollup) — each with its own flusher, both name their 12:15 bucket 12:15. The first flush marks the rows
// `_fb = 12:15`; the second flusher's condition `_fb < 12:15` fails on every row it shares, so it counts them as
// `rowsAlreadyApplied` and drops its cells: lost counts, silently (no error, no dead letter). Its older buckets are
// dropped the same way whenever the other buffer flushed a later one first. Nothing refuses the configuration, and
// docs/redis-buffer.md only says that the parts of ONE buffer must agree on `keyPrefix`.
// Observed: two orders of one store, one per buffer, in the same quarter hour: the all-time row holds n = 1, the
// second flush reports 2 rows already applied.
// Plain `it` would assert n = 2 (or a loud refusal of a second buffer on the same rows).
// Suggested fix: name the buffer in the marker (a marker attribute per buffer: `_fb#<prefix hash>`, read by that
// buffer's live source), or record the buffer's identity in the table (an item per table naming its one buffer,
// checked by appliers and flushers, `CONFIG_INVALID` for a second); at the least, document that one aggregate
// table (or rollup) takes exactly one buffer.
import { describe, expect, it, vi } from 'vitest';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const QUARTER = 15 * 60_000;

describe('review s25d: two buffers (key prefixes) flushing into one table', () => {
  it.fails('each buffer’s counts reach the shared rows', async () => {
    const { table, clock, common } = await env.fixture('s25d2b', [orders], START);
    const first = { ...common, bucketMs: QUARTER, keyPrefix: `${common.keyPrefix}a:{g1}:` };
    const second = { ...common, bucketMs: QUARTER, keyPrefix: `${common.keyPrefix}b:{g2}:` };
    // one order of store s-1 through each buffer (two worker groups, two shards), both in the 12:15 bucket
    await createBufferedApplier(first).apply({
      records: [orderRecords(1000)('s-1', START)],
      shardId: 'shard-a',
    });
    await createBufferedApplier(second).apply({
      records: [orderRecords(5000)('s-1', START + 1_000)],
      shardId: 'shard-b',
    });
    clock.advance(QUARTER); // 12:16: the bucket has closed for both
    const a = await createFlusher(first).flushClosed();
    const b = await createFlusher(second).flushClosed();
    const all = (await scanItems(env.ddb, table)).find((i) => i.sk?.S === 'ALL');
    // observed: { n: '1', written: [2, 0], alreadyApplied: 2 }
    expect({
      n: all?.n?.N,
      written: [a.rowsWritten, b.rowsWritten],
      alreadyApplied: b.rowsAlreadyApplied,
    }).toEqual({ n: '2', written: [2, 2], alreadyApplied: 0 });
  });
});

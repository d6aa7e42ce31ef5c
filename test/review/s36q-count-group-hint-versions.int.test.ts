// Review s36q (memory of `hv:<pk>`, the hints' versions; asked of e8581e2e, the cause is older: e10ff419, s33r).
// What: HINTS_SCRIPT versions a narrow value's removal "in a group not known" even without a hint (`cold[k]`), so
// that a group read under way cannot put back a stale wide value. But a group of a rollup without a `sum` is never
// made known (the write script never asks for it: a count cannot pass 38 digits), so it is "not known" for good, and
// every flush of it writes one `hv:<pk>` field per cell it flushed (`<sk>|<attr>` → the flush marker), with a fresh
// `keyTtlMs` (7 days) each time. docs/redis-buffer.md says the opposite: "A narrow value where no hint exists records
// nothing, not even a version (counts never pay for hints)", and its *Memory* section bounds Redis by the unflushed
// buckets ("The benchmark below peaks at a few MB").
// Why it matters: a count rollup is the common case (S4's orders, S1's page views). Its hint versions grow with every
// distinct cell flushed within `keyTtlMs`, not with the unflushed buckets: a store counted per minute holds up to
// 7 × 1,440 fields (one per packed minute cell) in its `hv:<pk>`, so 10,000 groups ≈ 10⁸ fields, gigabytes of a
// Redis sized for a few MB of buckets; under `noeviction` a full Redis refuses the writers' batches, and flushing
// does not free it (the versions are renewed by every flush). The versions serve nothing: no read of such a group is
// ever recorded. Each flush also pays an `HGET` + `HSET` + `PEXPIRE` per count cell.
// Expected: a group no read will make known (no rollup with a sum) gets no `hv:<pk>`; e.g. the flusher sends no
// removal for cells of a rollup without a sum (or the script versions a cold removal only for groups of such rollups).
// Severity: medium (unbounded-looking Redis memory growth against the documented bound; no wrong count).
//
// Fixed (s36v) by the cell, not the rollup: a version of a removal keeps a group read's older value out, and a read
// records the wide values of sum cells only (known-groups.ts), so a cell of any other measure — every cell of a
// count-only rollup, the count cells of a rollup with a sum too — needs none. The flusher tells the hints script
// which narrow values no read learns (UNREAD_NARROW, learned-cells.ts), and the script versions their removal only
// where `h:<pk>` holds a hint (the order of two flushers' hints of a wide value, which a count never reaches in
// practice). The second test: a sum's removal in a group not known is still versioned (s33r), its count's is not.
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { MINUTE } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['minute', 'day', 'all'] });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 1, 0);

describe('review s36q: the hint versions of a count-only group', () => {
  it('a flushed count-only group keeps no hv:<pk> (before: one field per flushed cell, renewed each flush)', async () => {
    const f = await env.fixture('s36q-hv-counts', [orders], START);
    const keys = bufferKeys(f.keyPrefix);
    const rec = orderRecords(1000);
    const applier = createBufferedApplier(f.common);
    const flusher = createFlusher(f.common);
    for (let i = 0; i < 3; i++) {
      await applier.apply({ records: [rec('s-1', START + i * MINUTE)], shardId: 's-1' });
      f.clock.advance(2 * MINUTE);
      await flusher.flushClosed();
    }
    // no hints: nothing wide, and the group is never read (a count needs no known hints)
    expect(await env.redis.exists(keys.hints('orders#ss-1'))).toBe(0);
    expect({
      fields: await env.redis.hlen(keys.hintVersions('orders#ss-1')),
      ttlMs: await env.redis.pttl(keys.hintVersions('orders#ss-1')),
    }).toEqual({ fields: 0, ttlMs: -2 });
  });

  it("a rollup with a sum, flushed while its group is not known: the sum's removal is versioned, its count's not", async () => {
    const money = defineRollup({
      name: 'money',
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { n: count(), total: sum('amount') },
    });
    const f = await env.fixture('s36q-hv-mixed', [money], START);
    const keys = bufferKeys(f.keyPrefix);
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(f.common).apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '5' } }, START)],
      shardId: 's-1',
    });
    // the group's hints lost before the flush: a read of it may be under way, whose older sum must stay out
    await env.redis.del(keys.hints('money#sg'));
    f.clock.advance(2 * MINUTE);
    await createFlusher(f.common).flushClosed();
    expect(Object.keys(await env.redis.hgetall(keys.hintVersions('money#sg')))).toEqual(['ALL|total']);
  });
});

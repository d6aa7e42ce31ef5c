// Review s41b: a backfill's read-rate wait (`readUnitsPerSecond`, the token bucket in backfill/run-backfill.ts) did
// not look at `signal`: at a slow rate (a library caller's `readUnitsPerSecond: 0.01`, a reservation of a chunk's
// units paid back over minutes) a stop asked for between two Scans was seen only once the wait ended.
// Observed (main): aborted after the first chunk, the run had not settled 5 s later (its wait for the next Scan's
// units was most of a minute long). The test allows 20 s (a stop at load 15), and waits 30 s for the run.
// Expected: the wait ends promptly on abort, and the run ends as stopped (BACKFILL_REFUSED, resumable).
// Fixed: `RateLimiter.take` takes the signal and its sleep ends on abort (backfill/run-backfill.ts).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const items: Record<string, AttributeValue>[] = Array.from({ length: 12 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 3}` },
  t: { N: String(T0 + i) },
}));

describe('a backfill stopped while it waits for read units', () => {
  it('ends promptly at a very slow rate', async () => {
    const t = await buildingTables(clients.ddb, 's41b-rate-abort', items, storeCountRollup.compiled);
    const stop = new AbortController();
    let stoppedAt = 0;
    const run = runBackfill({
      ...t,
      client: clients.ddb,
      rollup: storeCountRollup,
      segments: 1,
      chunkItems: 4,
      settleMs: 0,
      readUnitsPerSecond: 0.01,
      signal: stop.signal,
      onProgress: (p) => {
        // stopped while the next Scan waits for its units (the run looks at the signal before it waits)
        if (p.chunks === 1 && stoppedAt === 0) {
          stoppedAt = -1;
          setTimeout(() => {
            stoppedAt = Date.now();
            stop.abort();
          }, 500);
        }
      },
    });
    // the wait for the next Scan's units is most of a minute: a stop seen only when it ends takes that long; one seen
    // at once takes a stop's own time (seconds at load 15)
    const code = await Promise.race([
      codeOf(run),
      new Promise<string>((r) => setTimeout(() => r('unsettled'), 30_000)),
    ]);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(code).toBe('BACKFILL_REFUSED');
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
  });
});

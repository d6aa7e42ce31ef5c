// Review s34b (rollups over existing data, rate limiting): DESIGN.md's backfill is "a parallel, rate-limited,
// resumable Scan", and `readUnitsPerSecond` is documented as "read units per second for the scan, over all
// segments" (a token bucket over the scan's consumed read units). The bucket (RateLimiter in run-backfill.ts) only
// checks that enough tokens are there in `take` and subtracts the units in `account`, after the Scan returned: every
// segment in flight passes `take` on the same tokens, so `segmentConcurrency` Scans (8 by default, up to 1,000)
// go out at once whatever the rate. A process given `--rate 100 --concurrency 1000` sends 1,000 consistent Scans of
// up to 1 MB each (up to 256,000 read units) at its start and after each wait, against a table whose live traffic
// the rate was meant to leave room for. Severity: low (bursts over the limit, the average holds).
// Observed: rate 1 read unit per second, 8 segments, 8 at a time, 1 unit expected a Scan: the 8 segments' first
// Scans go out together, 8 units in the first moment of a 1 unit/s budget.
// Expected: a Scan takes its expected units from the bucket before it is sent (reserved, then corrected by the
// units it consumed), so the units sent never pass the bucket's size plus the rate times the time elapsed.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const clients = testClients();
const runner = testClients();
afterAll(() => {
  clients.destroy();
  runner.destroy();
});

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);

describe('a backfill given readUnitsPerSecond', () => {
  it('sends no more read units than the rate allows', async () => {
    const items: Record<string, AttributeValue>[] = Array.from({ length: 40 }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 's34b-rate', items, rollup.compiled);
    // when each Scan of the source went out (ms)
    const sentAt: number[] = [];
    runner.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          context.commandName === 'ScanCommand' &&
          (args.input as { TableName?: string }).TableName === t.source
        )
          sentAt.push(Date.now());
        return next(args);
      },
      { step: 'initialize', name: 'scanTimes' },
    );
    const report = await runBackfill({
      client: runner.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup,
      segments: 8,
      segmentConcurrency: 8,
      chunkItems: 8, // 1 read unit expected per Scan (chunkItems / 8)
      readUnitsPerSecond: 1,
      settleMs: 0,
    });
    expect(report.complete).toBe(true);
    // a bucket of 1 unit refilled at 1 unit a second lets the i-th Scan (1 unit expected each) go out no sooner
    // than i - 1 seconds after the first (half a unit of slack for the clocks); a slower machine only spaces the
    // Scans further apart, so this bound cannot fail a correct limiter. Before a fix: the 8 segments' first Scans
    // all went out within milliseconds
    const first = sentAt[0] ?? 0;
    const early = sentAt.filter((at, i) => i + 1 > 1.5 + (at - first) / 1000);
    expect(early).toEqual([]);
  });
});

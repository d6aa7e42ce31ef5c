// The backfill "done means" run of issue 14 at a CI size (bench/backfill/scale-run.ts; the 50,000-item run is
// `npx tsx bench/backfill-scale.ts`): existing items counted by version 1, version 2 deployed beside it, a writer
// inserting, modifying and deleting those items, the backfill in a child process killed with SIGKILL mid-way and
// started again, catch-up, promotion — version 2 equals the oracle over the final source items — then version
// 1's rows deleted and version 2 still equal to the oracle.
import { describe, expect, it, vi } from 'vitest';
import { runBackfillScale } from '../../bench/backfill/scale-run.ts';
import { ddbReady } from '../support/ddb.ts';

// minutes of DynamoDB Local work: at load average 40 this run took 303–437 s (56 s when idle)
vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 1_800_000 });

const ITEMS = Number(process.env.BACKFILL_SCALE_ITEMS ?? 600);

describe('backfill killed and restarted, on DynamoDB Local', () => {
  it(`rebuilds a changed rollup over ${ITEMS} items under a writer, the backfill process SIGKILLed mid-way, exactly`, async () => {
    const f = await runBackfillScale({
      endpoint: await ddbReady(),
      items: ITEMS,
      segments: 2,
      chunkItems: 100,
      killAfterChunks: 2,
      writerOpsPerSecond: 40,
    });
    expect(f.oracle.firstDifferences).toEqual([]);
    expect(f.backfill.killedRun.killed).toBe(true);
    expect(f.backfill.killedRun.chunks).toBeGreaterThanOrEqual(2);
    expect(f.backfill.resumedRun.killed).toBe(false);
    // the resumed process did not start over: it scanned what the killed one had not finished
    expect(f.backfill.resumedRun.scanned).toBeLessThan(ITEMS);
    expect(f.writer.ops).toBeGreaterThan(0);
    expect(f.oracle.differAfterPromotion).toBe(0);
    expect(f.oracle.differAfterDeletion).toBe(0);
    expect(f.deletion.version1RowsLeft).toBe(0);
    expect(f.correct).toBe(true);
  }, 900_000);
});

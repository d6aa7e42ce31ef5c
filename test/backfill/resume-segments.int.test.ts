// A backfill's progress is kept per segment count, and a claim names only its segment and chunk. Resumed over
// another count, a scan takes the first run's claims of its applied chunks as its own (same segment and chunk
// numbers) and applies them a second time, and leaves the items the first run claimed and did not apply to
// nobody. So a resume uses the count the backfill started with (recorded in the control item) when none is given,
// and refuses another one.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount, storeItem } from '../support/store-count-stream.ts';
import { buildingTables } from './backfill-tables.ts';
import { stopAfterFirstChunk } from './stopped-backfill.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const items = Array.from({ length: 40 }, (_, i) => storeItem(i));
const base = { rollup: storeCountRollup, chunkItems: 10, settleMs: 0 };

/** The tables, and a backfill of 2 segments stopped after its first chunk. */
async function stoppedAfterAChunk(prefix: string) {
  const t = await buildingTables(clients.ddb, prefix, items, storeCountRollup.compiled);
  await stopAfterFirstChunk({ ...t, ...base, segments: 2, client: clients.ddb });
  return t;
}

describe('resuming a backfill over its segment count', () => {
  it('without a count, resumes with the one it started with and counts every item once', async () => {
    const t = await stoppedAfterAChunk('bf-seg-same');
    const report = await runBackfill({ ...t, ...base, client: clients.ddb });
    expect(await storeCount(clients.ddb, t.table)).toBe(
      String((await scanTable(clients.ddb, t.source)).length),
    );
    expect(report).toMatchObject({ complete: true, progress: { segments: 2 } });
  });

  it('refuses another count, counting nothing', async () => {
    const t = await stoppedAfterAChunk('bf-seg-other');
    const before = await storeCount(clients.ddb, t.table);
    expect(await codeOf(runBackfill({ ...t, ...base, segments: 1, client: clients.ddb }))).toBe(
      'BACKFILL_REFUSED',
    );
    expect(await storeCount(clients.ddb, t.table)).toBe(before);
  });
});

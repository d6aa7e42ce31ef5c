// A batch with late records reads its shard's exclusions once. `lateToSettle` reads them to find the late records
// to settle (a carried refusal), and the rest of the batch used to read them again in `carriedExclusions`: nothing
// writes them in between (the late letters go to the sink, the retention history is another item), so the first
// read is passed through (apply/applier.ts, `applyWithoutLate`).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countingExclusionReads } from '../support/exclusion-reads.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('a batch with late records', () => {
  it("reads its shard's exclusions once", async () => {
    const table = uniqueTableName('late-x-read');
    await createAggregateTable(clients.ddb, table);
    const counting = countingExclusionReads();
    const applier = new Applier({ client: counting.client, table, rollups: [lateJobs], now: () => LATE_NOW });
    // 24 h 40 min old: late, but young enough to be settled had an earlier delivery refused it; and one on time
    const { poison } = await applier.apply({
      records: [writtenAgo('100', 24 * HOUR + 40 * 60_000), writtenAgo('200', HOUR)],
      shardId: 'shard-1',
    });
    expect(poison.map((p) => p.error.code)).toEqual(['RECORD_TOO_OLD']);
    expect(await countedJobs(clients.ddb, table)).toBe('1');
    expect(counting.reads()).toBe(1);
  });
});

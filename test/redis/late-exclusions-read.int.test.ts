// A buffered batch with late records reads its shard's exclusions once, as the Applier's does
// (test/apply/late-exclusions-read.int.test.ts). The buffer's late split reads them to find the late records to
// settle (`lateToSettle`), and when the rest goes straight to DynamoDB its inner Applier used to read them again
// (`carriedExclusions`): nothing writes them in between (the late letters go to the sink, the fence and the retention
// history are other items), so the first read is handed to the inner Applier (redis/buffered-applier.ts,
// `applyWithoutLate`, `givenExclusions`).
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countingExclusionReads } from '../support/exclusion-reads.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';
import { failFastRedis } from './fail-fast-redis.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('a buffered batch with late records, written directly (Redis down)', () => {
  it("reads its shard's exclusions once", async () => {
    const table = uniqueTableName('late-x-read-buf');
    await createAggregateTable(clients.ddb, table);
    const counting = countingExclusionReads();
    // Redis unreachable (nothing listens there): the batch goes straight to DynamoDB through the fallback's fence
    const down = failFastRedis(`redis://127.0.0.1:${await closedPort()}`);
    const letters: DeadLetter[] = [];
    try {
      const applier = createBufferedApplier({
        redis: down,
        client: counting.client,
        table,
        rollups: [lateJobs],
        onRedisDown: 'direct',
        now: () => LATE_NOW,
        logger: silent,
        deadLetter: { send: async (l) => void letters.push(...l) },
      });
      // 24 h 40 min old: late, but young enough to be settled had an earlier delivery refused it; and one on time
      const { buffer } = await applier.apply({
        records: [writtenAgo('100', 24 * HOUR + 40 * 60_000), writtenAgo('200', HOUR)],
        shardId: 'shard-1',
      });
      expect(buffer.mode).toBe('direct');
      expect(letters.map((l) => l.code)).toEqual(['RECORD_TOO_OLD']);
      expect(await countedJobs(clients.ddb, table)).toBe('1');
      expect(counting.reads()).toBe(1);
    } finally {
      down.disconnect();
    }
  });
});

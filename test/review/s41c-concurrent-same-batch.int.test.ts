// Review s41c (Lambda: one shard's records delivered twice at once). No finding, kept as coverage.
// Lambda runs one batch per shard at a time under ParallelizationFactor 1, but the same records can still be in flight
// twice at once: a timed-out invocation's writes still landing while its retry runs, or two event source mappings on
// one stream for a while (a mapping replaced by CloudFormation, which creates the new one before deleting the old).
// Each is a contiguous run of the shard's records (unlike ParallelizationFactor > 1, which splits a shard's records
// by key between concurrent batches, and which the construct refuses in exactly-once mode). The row watermarks make
// that safe: checked here on DynamoDB Local, new rows included (two PartiQL INSERTs of one new row race), with
// overlapping batches cut differently from one checkpoint, for both strategies: every record is counted once.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe.each(['row-watermark', 'transaction'] as const)(
  'the same records in flight twice at once (%s)',
  (strategy) => {
    it('are counted once', async () => {
      const table = uniqueTableName('s41c-twice');
      await createAggregateTable(clients.ddb, table);
      const handler = () =>
        createStreamHandler({
          rollups: [lateJobs],
          client: clients.ddb,
          table,
          strategy,
          deadLetter: 'log',
          lineage: false,
          now: () => LATE_NOW,
          logger: silent,
        });
      const a = handler();
      const b = handler(); // another container
      const records = Array.from({ length: 40 }, (_, i) => writtenAgo(String(100 + i), HOUR));
      const shardId = 'shardId-00000001700000000000-s41c';
      // as Lambda delivers: every run starts at the shard's checkpoint, and the checkpoint moves between rounds
      for (const checkpoint of [0, 0, 15, 15, 30]) {
        await Promise.all([
          a({ shardId, Records: records.slice(checkpoint, checkpoint + 10) }),
          b({ shardId, Records: records.slice(checkpoint, checkpoint + 20) }),
          b({ shardId, Records: records.slice(checkpoint) }),
          a({ shardId, Records: records.slice(checkpoint, checkpoint + 5) }),
        ]);
      }
      expect(await countedJobs(clients.ddb, table)).toBe('40');
    });
  },
);

// Session 15's second review of abeec69 (the dry run lists watermark-only writes). Under the `transaction`
// strategy apply moves one per-shard watermark item in each transaction and writes no row whose deltas cancelled
// out (apply-transactional.ts plans with planWrites, which drops them: report.cancelled), but Applier.plan lists
// them as watermarkOnly and among its requests whenever it was exactly-once, so `plan --dry-run` showed writes
// apply never sends. Fixed: Applier.plan lists them on the row-watermark strategy only. (The transaction strategy's dry run shows per-row watermark requests for its other rows too:
// planBatch knows no strategy; a wider, older mismatch.) Pure: the client is never used.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { jobs, cancellingBatch as records, T } from '../apply/cancelling-batch.ts';

const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
afterAll(() => client.destroy());

describe('the dry run of a batch whose rows cancel out, transaction strategy', () => {
  // failed before planBatch knew the strategy: watermarkOnly held the two cancelled rows of jobs#sc1, which
  // applyTransactional never writes
  it('lists no watermark-only writes (apply sends none)', () => {
    const applier = new Applier({
      client,
      table: 'aggregates',
      rollups: [jobs],
      strategy: 'transaction',
      now: () => T,
    });
    const plan = applier.plan({ records, shardId: 'shardId-1' });
    expect(plan.plan.cancelled).toBe(2);
    expect(plan.watermarkOnly).toEqual([]);
    expect(plan.requests.filter((q) => q.Key?.pk?.S === 'jobs#sc1')).toEqual([]);
  });
});

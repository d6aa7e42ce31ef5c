// Session 15's second review of abeec69 (the dry run lists watermark-only writes). Under the `transaction`
// strategy apply moved one per-shard watermark item in each transaction and wrote no row whose deltas cancelled
// out, but Applier.plan listed them as watermarkOnly and among its requests whenever it was exactly-once, so
// `plan --dry-run` showed writes apply never sent. Fixed then: Applier.plan listed them on the row-watermark
// strategy only. Since review s25b the transaction strategy writes every row through the per-shard transaction
// path, which does write such a row (it marks it transactional and moves its rollup's watermark item, so a later
// redelivery of part of the batch under either strategy cannot apply the half that no longer cancels): the dry run
// lists them again, now because apply sends them, inside its transactions. Pure: the client is never used.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { jobs, cancellingBatch as records, T } from '../apply/cancelling-batch.ts';

const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
afterAll(() => client.destroy());

describe('the dry run of a batch whose rows cancel out, transaction strategy', () => {
  it('lists the watermark-only writes apply sends (in its transactions)', () => {
    const applier = new Applier({
      client,
      table: 'aggregates',
      rollups: [jobs],
      strategy: 'transaction',
      now: () => T,
    });
    const plan = applier.plan({ records, shardId: 'shardId-1' });
    expect(plan.plan.cancelled).toBe(2);
    expect(plan.watermarkOnly.map((w) => `${w.pk} ${w.sk}`).sort()).toEqual([
      'jobs#sc1 ALL',
      'jobs#sc1 D2025-11-22',
    ]);
    const sent = plan.sends.flatMap((s) =>
      s.api === 'TransactWriteItems' ? (s.input.TransactItems ?? []).map((i) => i.Update) : [],
    );
    const cancelled = sent.filter((u) => u?.Key?.pk?.S === 'jobs#sc1');
    expect(cancelled).toHaveLength(2);
    for (const u of cancelled) expect(u?.UpdateExpression).not.toMatch(/ADD/);
  });
});

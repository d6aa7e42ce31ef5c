// The dry run (`Applier.plan`, `dynotally plan --dry-run`) of a batch in which an item is inserted and removed:
// its rows' deltas cancel out, yet under exactly-once `Applier.apply` still writes each of them to move its
// watermark past the batch (apply/watermark-only.ts). The dry run lists those writes among its requests, as
// apply sends them; at least once, nothing is written for them. Pure: the client is never used.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { jobs, cancellingBatch as records, T } from './cancelling-batch.ts';

const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
afterAll(() => client.destroy());

const applier = (mode: 'exactly-once' | 'at-least-once') =>
  new Applier({ client, table: 'aggregates', rollups: [jobs], mode, now: () => T });

describe('the dry run of a batch whose rows cancel out', () => {
  it("exactly once: lists the cancelled rows' watermark-only writes among the requests", () => {
    const plan = applier('exactly-once').plan({ records, shardId: 'shardId-1' });
    expect(plan.plan.rows.map((r) => r.pk)).toEqual(['jobs#sc2', 'jobs#sc2']);
    expect(plan.plan.cancelled).toBe(2);
    expect(plan.watermarkOnly.map((r) => [r.pk, r.sk, r.adds.length])).toEqual([
      ['jobs#sc1', 'D2025-11-22', 0],
      ['jobs#sc1', 'ALL', 0],
    ]);
    expect(plan.requests).toHaveLength(4);
    const sc1 = plan.requests.filter((q) => q.Key?.pk?.S === 'jobs#sc1');
    expect(sc1).toHaveLength(2);
    for (const q of sc1) {
      // no counter moves, the watermark does: a SET of the shard's state under its condition
      expect(q.UpdateExpression).not.toMatch(/\bADD\b|placed/);
      expect(q.ConditionExpression).toBeDefined();
      expect(JSON.stringify(q.ExpressionAttributeValues)).toContain('103');
    }
    expect(plan.parts[0]?.watermarkOnly).toHaveLength(2);
  });

  it('at least once: nothing is written for them', () => {
    const plan = applier('at-least-once').plan({ records, shardId: 'shardId-1' });
    expect(plan.plan.cancelled).toBe(2);
    expect(plan.watermarkOnly).toEqual([]);
    expect(plan.requests.map((q) => q.Key?.pk?.S)).toEqual(['jobs#sc2', 'jobs#sc2']);
  });
});

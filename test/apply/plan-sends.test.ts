// The dry run's `sends` (Applier.plan) follow the applier's options as apply does, without DynamoDB: the mode
// (at least once: no watermark anywhere), the strategy only under exactly-once, the sampled rows' ALL_OLD on the
// UpdateItem path, and nothing at all for an exactly-once batch without a shard id (apply refuses it). What apply
// really sends is compared in plan-sends.int.test.ts. Pure: the client is never used.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { hourOfRecords, NOW, wideRollup } from './wide-batch.ts';

const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
afterAll(() => client.destroy());

const records = hourOfRecords().slice(0, 30); // one part: two hour rows
/** `shardId: null`: a batch without one. */
const plan = (options: Partial<ApplierOptions>, shardId: string | null = 'shardId-1') =>
  new Applier({ client, table: 'aggregates', rollups: [wideRollup], now: () => NOW, ...options }).plan({
    records,
    shardId: shardId ?? undefined,
  });

describe('the requests the dry run shows', () => {
  it('at least once on PartiQL: INSERTs without any shard state, whatever the strategy', () => {
    const { sends, requests } = plan({ mode: 'at-least-once', strategy: 'transaction' });
    expect(sends.map((s) => s.api)).toEqual(['BatchExecuteStatement']);
    const statements = sends[0]?.api === 'BatchExecuteStatement' ? (sends[0].input.Statements ?? []) : [];
    expect(statements.map((s) => s.Statement?.split(' ')[0])).toEqual(['INSERT', 'INSERT']);
    expect(JSON.stringify(statements)).not.toMatch(/"~|w_/);
    expect(requests).toHaveLength(2); // the UpdateItem view stays
  });

  it('exactly once on UpdateItem: each row conditioned on its watermark, sampled rows asking for the old row', () => {
    const { sends, requests } = plan({ write: { api: 'update-item' }, pruneSampleEvery: 1 });
    expect(sends.map((s) => s.api)).toEqual(['UpdateItem', 'UpdateItem']);
    for (const [i, s] of sends.entries()) {
      expect(s.input).toEqual({ ...requests[i], ReturnConsumedCapacity: 'INDEXES', ReturnValues: 'ALL_OLD' });
      expect(s.api === 'UpdateItem' && s.input.ConditionExpression).toBeTruthy();
    }
  });

  it('exactly once without a shard id: nothing, as apply refuses the batch', () => {
    const { sends, requests } = plan({}, null);
    expect(sends).toEqual([]);
    expect(requests).toHaveLength(2);
  });
});

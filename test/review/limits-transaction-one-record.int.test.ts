// Review of DynamoDB limits (TransactWriteItems ≤ 100 items) in the `transaction` strategy (apply-transactional.ts).
// cutChunk takes the longest prefix of records whose rows fit 99, but always at least one record: a record that
// alone reaches more than 99 rows goes out as one transaction of its rows + the shard watermark. A MODIFY that
// moves an item to another group takes it out of the old group's rows and adds it to the new group's: 2 × the
// rows of each rollup (4 at ['minute', '5m', '15m', 'hour', 'day', 'week', 'month', 'year', 'all']): 13 such
// rollups on one table make 104 rows, a 105-item transaction, refused (ValidationException) on every delivery:
// the shard is blocked. (The same `Math.max(1, n)` is in write-transactional-rows.ts's cutChunk, for rows past
// the state budget.) defineRollup bounds one record's counters per row, nothing bounds its rows across rollups.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const ROLLUPS = Array.from({ length: 13 }, (_, i) =>
  defineRollup({
    name: `view${i}`,
    groupBy: 'team',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['minute', '5m', '15m', 'hour', 'day', 'week', 'month', 'year', 'all'],
    measures: { n: count(), amount: sum('amount') },
  }),
);

function modify(): DynamoDBRecord {
  const base: Record<string, AttributeValue> = {
    id: { S: 'job-1' },
    amount: { N: '3' },
    t: { N: '1763800000000' },
  };
  return {
    eventID: 'e1',
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: 'job-1' } },
      OldImage: { ...base, team: { S: 'red' } },
      NewImage: { ...base, team: { S: 'blue' } },
      SequenceNumber: '1001',
      ApproximateCreationDateTime: 1_763_800_000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('one record over many rollups, transaction strategy', () => {
  // fails: ValidationException "Member must have length less than or equal to 100" (105 items) on every delivery;
  // fix: split one record's rows over several transactions only with a per-row guard, or refuse (at Applier
  // construction) rollups whose rows per record (× 2 for a group change) pass 99 under `strategy: 'transaction'`
  it.fails('applies a MODIFY that moves an item between groups of 13 rollups', async () => {
    const table = uniqueTableName('review-tx-one');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: ROLLUPS,
      strategy: 'transaction',
      retry: { maxAttempts: 1 },
    });
    const out = await applier.apply({ records: [modify()], shardId: 'shard-0' });
    expect(out.report.rowsWritten).toBe(13 * 4 * 2);
  });
});

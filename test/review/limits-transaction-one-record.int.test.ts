// Review of DynamoDB limits (TransactWriteItems ≤ 100 items) in the `transaction` strategy (then apply-transactional.ts;
// since review s25b the strategy writes through write-transactional-rows.ts, which also sends one record's rows in
// parts of whole rollups when they pass a transaction; the refusal at construction is kept).
// cutChunk takes the longest prefix of records whose rows fit 99, but always at least one record: a record that
// alone reaches more than 99 rows goes out as one transaction of its rows + the shard watermark. A MODIFY that
// moves an item to another group takes it out of the old group's rows and adds it to the new group's: 2 × the
// rows of each rollup (4 at ['minute', '5m', '15m', 'hour', 'day', 'week', 'month', 'year', 'all']): 13 such
// rollups on one table make 104 rows, a 105-item transaction, refused (ValidationException) on every delivery:
// the shard is blocked. (The same `Math.max(1, n)` is in transaction-cut.ts's cutChunk, for rows past
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
  // was: ValidationException "Member must have length less than or equal to 100" (105 items) on every delivery.
  // Fixed: the Applier refuses, when it is made, rollups that could make more than 99 rows from one record under
  // `strategy: 'transaction'`, and (since) rollups whose rows one record makes could pass 4 MB
  it('refuses rollups one record of which could not fit one transaction, and applies those that fit', async () => {
    const table = uniqueTableName('review-tx-one');
    await createAggregateTable(clients.ddb, table);
    const make = (rollups: typeof ROLLUPS) =>
      new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups,
        strategy: 'transaction',
        retry: { maxAttempts: 1 },
      });
    expect(() => make(ROLLUPS)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/104 rows from one record/),
      }),
    );
    // the default strategy writes rows one by one: the same rollups apply the record
    const perRow = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: ROLLUPS,
      retry: { maxAttempts: 1 },
    });
    expect((await perRow.apply({ records: [modify()], shardId: 'shard-0' })).report.rowsWritten).toBe(
      13 * 4 * 2,
    );
    const twelve = make(ROLLUPS.slice(0, 12));
    const out = await twelve.apply({ records: [modify()], shardId: 'shard-1' });
    expect(out.report.rowsWritten).toBe(12 * 4 * 2);
    // since review s25b each rollup has its own watermark item: 96 rows + 12 items pass 100 (and, each row counted at
    // the most its kind can hold, 5.3 MB pass 4 MB), so the record's rows go in two transactions of whole rollups
    // (wholeRollupsWithin), each moving its own rollups' items
    expect(out.report.transactions).toBe(2);
  });
});

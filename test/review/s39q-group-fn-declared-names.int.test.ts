// Review s39q, the fix end to end on DynamoDB Local: a rollup grouped by a function with declared names
// (`groupBy: { names: ['storeId'], fn }`) whose function returns { userId: 's-1' } for a view. Through the Applier
// with the DynamoDB dead-letter sink, the view's record is dead-lettered (VALUE_INVALID naming the names returned and
// declared) and leaves no trace in the aggregate table: the store's row counts the orders only (before the fix, the
// plain form folded the view into the row of { storeId: 's-1' }). The query client refuses { userId: 's-1' }
// (GROUP_INVALID) and top() names each entry's group by the declared names. Unit tests: s39q-group-fn-declared-names.test.ts.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { errorOf } from '../support/error-of.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
// times near the real clock: DynamoDB Local deletes letters past their TTL
const T = Math.floor(Date.now() / 1000);

const byStore = defineRollup({
  name: 'byStore',
  groupBy: {
    names: ['storeId'],
    // a union of shapes, as a function built from data or in JavaScript returns (TypeScript would refuse it)
    fn: (item) =>
      (item.type === 'order' ? { storeId: String(item.who) } : { userId: String(item.who) }) as {
        storeId: string;
      },
  },
  granularities: ['all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
});

function insert(seq: number, type: string, who: string): DynamoDBRecord {
  const id = `i${seq}`;
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, type: { S: type }, who: { S: who } },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: T,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('a groupBy function with declared names returning a group with other names (DynamoDB Local)', () => {
  it('dead-letters the record with VALUE_INVALID and counts nothing of it', async () => {
    const table = uniqueTableName('s39q-agg');
    const letters = uniqueTableName('s39q-dlq');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, letters);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [byStore],
      lateRecords: 'apply',
      deadLetter: new DynamoDbDeadLetterSink(clients.ddb, letters),
    });
    const out = await applier.apply({
      records: [insert(1001, 'order', 's-1'), insert(1002, 'view', 's-1'), insert(1003, 'order', 's-1')],
      shardId: 'shard-1',
    });
    expect(out.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);

    const stored = await listDeadLetters({ client: clients.ddb, table: letters });
    expect(stored.map((l) => [l.sequenceNumber, l.code])).toEqual([['1002', 'VALUE_INVALID']]);
    expect(stored[0]?.reason).toContain(
      "rollup 'byStore': its groupBy function returned a group named 'userId', not the declared names 'storeId'",
    );

    // the aggregate table holds the two orders only: one row, { storeId: 's-1' }'s, ranked by its count of 2
    const rows = await scanTable(clients.ddb, table);
    expect(rows.map((r) => [r.pk?.S, r.sk?.S, r.n?.N, r.lbv?.N])).toEqual([
      ['byStore#ss-1', 'ALL', '2', '2'],
    ]);

    const query = createQueryClient({ client: clients.ddb, table, rollups: [byStore] });
    expect((await query.total(byStore, { storeId: 's-1' }, 'all')).values).toEqual({ n: 2 });
    const refused = errorOf(() => query.explain.total(byStore, { userId: 's-1' } as never, 'all'));
    expect([refused.code, refused.message]).toEqual([
      'GROUP_INVALID',
      "the group for rollup 'byStore' names 'userId', not its groupBy function's declared names 'storeId': give { storeId: 'x' }",
    ]);
    const top = await query.top(byStore, { bucket: 'all' });
    expect(top.entries.map((e) => [e.group, e.value])).toEqual([[{ storeId: 's-1' }, 2]]);
  });
});

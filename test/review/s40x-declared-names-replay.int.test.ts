// Review s40x (groupBy: { names, fn }, session 40): what a replay does with the letter of a record the declared
// names refused. Checked sound, kept as a regression test (the s39q tests stop at the letter): through the Applier
// with the DynamoDB dead-letter sink, the view whose group is { userId } is a VALUE_INVALID letter and leaves no
// trace; replayed with the same definition it is still-poison and nothing is written (the store's row keeps the two
// orders); replayed with the function fixed (the view's group now { storeId }), it is counted once, in the store's
// row, and a second replay is already-replayed.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
// times near the real clock: DynamoDB Local deletes letters past their TTL
const T = Math.floor(Date.now() / 1000);
const common = { name: 'byStore', granularities: ['all'], measures: { n: count() } } as const;

// a union of shapes, as a function built from data returns (TypeScript would refuse the literal union)
const byShape = defineRollup({
  ...common,
  groupBy: {
    names: ['storeId'],
    fn: (item): Record<string, string> =>
      item.type === 'order' ? { storeId: String(item.who) } : { userId: String(item.who) },
  },
});
// the function fixed: a view counts for the store it was seen in
const fixed = defineRollup({
  ...common,
  groupBy: { names: ['storeId'], fn: (item) => ({ storeId: String(item.who) }) },
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

describe('the letter of a record a groupBy function with declared names refused, replayed (s40x)', () => {
  it('is still-poison with the same definition, and counted once with the function fixed', async () => {
    const table = uniqueTableName('s40x-agg');
    const letters = uniqueTableName('s40x-dlq');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, letters);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [byShape],
      lateRecords: 'apply',
      deadLetter: new DynamoDbDeadLetterSink(clients.ddb, letters),
    });
    const out = await applier.apply({
      records: [insert(1001, 'order', 's-1'), insert(1002, 'view', 's-1'), insert(1003, 'order', 's-1')],
      shardId: 'shard-1',
    });
    expect(out.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    const rows = async () => (await scanTable(clients.ddb, table)).map((r) => [r.pk?.S, r.sk?.S, r.n?.N]);
    expect(await rows()).toEqual([['byStore#ss-1', 'ALL', '2']]);

    const replay = (rollups: readonly (typeof fixed | typeof byShape)[]) =>
      replayDeadLetters({ client: clients.ddb, deadLetterTable: letters, table, rollups, all: true });
    const still = await replay([byShape]);
    expect(still.map((r) => [r.outcome, r.code])).toEqual([['still-poison', 'VALUE_INVALID']]);
    expect(still[0]?.reason).toContain("returned a group named 'userId', not the declared names 'storeId'");
    expect(await rows()).toEqual([['byStore#ss-1', 'ALL', '2']]);
    expect((await listDeadLetters({ client: clients.ddb, table: letters })).map((l) => l.code)).toEqual([
      'VALUE_INVALID',
    ]);

    expect((await replay([fixed])).map((r) => [r.outcome, r.rows])).toEqual([['replayed', 1]]);
    expect(await rows()).toEqual([['byStore#ss-1', 'ALL', '3']]);
    expect((await replay([fixed])).map((r) => r.outcome)).toEqual([]);
    expect(await rows()).toEqual([['byStore#ss-1', 'ALL', '3']]);
  });
});

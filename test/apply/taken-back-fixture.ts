// An Applier over amounts, kinds and a second row per kind (sorts), whose second take-back of a refused record can
// be made to fail: the set-up of the tests of a refused record partly taken back, then redelivered late.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, type testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { amounts, kinds } from './digits-rollups.ts';
import { insertRecords } from './insert-record.ts';

/** The records' stream time (insertRecords). */
export const T = 1_763_800_000_000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A second row per kind, so the refused record reaches two rows it can be taken back from. */
const sorts = defineRollup({
  name: 'sorts',
  groupBy: 'kind',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

const isTakeBack = (c: unknown) =>
  c instanceof UpdateItemCommand &&
  c.input.ConditionExpression?.includes('attribute_not_exists(#x)') === true;

/**
 * A fresh aggregate table and an Applier on it (UpdateItem writes, late records dead-lettered into `letters`) at the
 * clock `at(ms)` sets, first at T + 1 h. While `failSecondTakeBack(true)`, the second take-back request throws.
 *
 * @example
 * ```ts
 * const f = await takenBackFixture(clients, 'late-old-back');
 * await f.one([f.insert('a', '1e20')]);
 * ```
 */
export async function takenBackFixture(clients: ReturnType<typeof testClients>, name: string) {
  const table = uniqueTableName(name);
  await createAggregateTable(clients.ddb, table);
  const letters: DeadLetter[] = [];
  let now = T + HOUR;
  let takeBacks = 0;
  let failSecond = false;
  const held = heldClient(clients.ddb as DynamoDBClient, async (c) => {
    if (!failSecond || !isTakeBack(c)) return;
    if (takeBacks++ === 1) throw new Error('injected: the second take-back failed');
  });
  const applier = new Applier({
    client: held,
    table,
    rollups: [amounts, kinds, sorts],
    write: { api: 'update-item' },
    now: () => now,
    lateRecords: 'dead-letter',
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
  const next = insertRecords();
  return {
    table,
    letters,
    at: (ms: number) => {
      now = ms;
    },
    failSecondTakeBack: (on: boolean) => {
      failSecond = on;
    },
    takeBacks: () => takeBacks,
    insert: (id: string, amount: string): DynamoDBRecord =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } }),
    one: (records: DynamoDBRecord[]) => applier.apply({ records, shardId: 'shard-1' }),
    counts: async () => {
      const items = await scanTable(clients.ddb, table);
      const n = (pk: string) => items.find((i) => i.pk?.S === pk)?.n?.N;
      return { kinds: n('kinds#sk'), sorts: n('sorts#sk'), amounts: n('amounts#sbig') };
    },
  };
}

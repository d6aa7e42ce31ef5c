// A record the store refused (38 digits on amounts) whose take-back an earlier delivery cut short after taking it
// back from one row (its marker set there) and before the other, redelivered past the settle window (24 h 40 min,
// `lateToSettle`): it is not settled but dead-lettered as RECORD_TOO_OLD, and its letter must say what the rows hold
// so a replay of its pending rows counts it once on each: the row that kept it is not pending, the row it was taken
// back from is (its shard state is past the record, but so is its take-back marker: `pendingRowsOf` reads both).
// Before the probe read the marker, the row it was taken back from looked as if it held the record (its state is
// past it), the letter left it out, and a replay left the record out of that row for good.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { amounts, kinds } from './digits-rollups.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

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

describe('a refused record partly taken back, redelivered past the settle window', () => {
  it('is RECORD_TOO_OLD with the row it was taken back from pending, the row that kept it not', async () => {
    const table = uniqueTableName('late-old-back');
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
    const insert = (id: string, amount: string): DynamoDBRecord =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } });
    const one = (records: DynamoDBRecord[]) => applier.apply({ records, shardId: 'shard-1' });
    const counts = async () => {
      const items = await scanTable(clients.ddb, table);
      const n = (pk: string) => items.find((i) => i.pk?.S === pk)?.n?.N;
      return { kinds: n('kinds#sk'), sorts: n('sorts#sk') };
    };

    await one([insert('a', '1e20')]);
    const batch = [insert('b', '1e-19')]; // refused on amounts, applied to kinds and sorts
    now = T + 24 * HOUR + 20 * MINUTE; // on time
    failSecond = true;
    await expect(one(batch)).rejects.toThrow('injected');
    failSecond = false;
    expect(takeBacks).toBe(2);
    const before = await counts();
    // b taken back from one of the two rows, not the other
    expect([before.kinds, before.sorts].sort()).toEqual(['1', '2']);

    // the retry 24 h 42 min after b: past the settle window, before any state or marker may be pruned
    now = T + 24 * HOUR + 42 * MINUTE;
    await one(batch);
    expect(letters.map((l) => l.code)).toEqual(['RECORD_TOO_OLD']);
    expect(await counts()).toEqual(before); // nothing written
    const pending = new Set((letters[0]?.pendingRows ?? []).map((r) => r.pk));
    // a replay writes b to its pending rows only: then each of kinds and sorts holds b once (a and b: 2)
    const replayed = (n: string | undefined, pk: string) => Number(n) + (pending.has(pk) ? 1 : 0);
    expect(replayed(before.kinds, 'kinds#sk')).toBe(2);
    expect(replayed(before.sorts, 'sorts#sk')).toBe(2);
    expect(pending.has('amounts#sbig')).toBe(true); // refused there: never counted
  });
});

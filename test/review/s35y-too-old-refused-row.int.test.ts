// Review s35y (fixed: `lateToSettle` hands the probe its exclusion's refused rows): a RECORD_TOO_OLD letter of a
// refused record whose take-back an earlier delivery cut short must list
// the row that REFUSED it as pending (it never held it), as the NUMBER_UNREPRESENTABLE letter does. The probe
// (`pendingRowsOf`) reads only the row's shard state and the take-back marker: when a later record of the same
// batch was written to the refused row (isolateUnrepresentable writes the batch's records one by one there), the
// row's state is past the refused record, it has no marker, and the probe takes it for a row that holds the record:
// the letter leaves it out, so a replay never counts the record there.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';

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

describe('review s35y: a refused record partly taken back, a later record on its refused row, redelivered late', () => {
  it('lists the row that refused it as pending though a later record passed its state', async () => {
    const table = uniqueTableName('s35y-refused');
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
    // b refused on amounts, applied to kinds and sorts; c, after it, fits on amounts and is written there
    const batch = [insert('b', '1e-19'), insert('c', '1')];
    now = T + 24 * HOUR + 20 * MINUTE; // on time
    failSecond = true;
    await expect(one(batch)).rejects.toThrow('injected');
    failSecond = false;
    expect(takeBacks).toBe(2);
    const before = await counts();
    // b taken back from one of kinds and sorts, not the other (a and c on both); amounts holds a and c, not b
    expect([before.kinds, before.sorts].sort()).toEqual(['2', '3']);
    const amountsRow = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'amounts#sbig');
    expect(amountsRow?.n?.N).toBe('2');

    // the retry 24 h 42 min after b: past the settle window, before any state or marker may be pruned
    now = T + 24 * HOUR + 42 * MINUTE;
    await one(batch);
    const b = letters.find((l) => l.sequenceNumber?.endsWith('1002') === true);
    expect(b?.code).toBe('RECORD_TOO_OLD');
    const pending = new Set((b?.pendingRows ?? []).map((r) => r.pk));
    // as before the fix: the row b was taken back from is pending, the row that kept it is not
    expect(pending.has('kinds#sk')).toBe(before.kinds === '2');
    expect(pending.has('sorts#sk')).toBe(before.sorts === '2');
    // refused there: b was never counted on amounts, so a replay must write it there
    expect(pending.has('amounts#sbig')).toBe(true);
  });
});

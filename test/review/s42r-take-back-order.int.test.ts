// Review s42r (a sum beyond 38 digits): records of one batch refused for digits, taken back in record order from a
// row whose batch sum fitted. Records, one shard, group g, June 1 (the day packed as `amt_1` in the month row, and
// the all-time row, which already holds 0.001 from a May record):
//   10  INSERT i1  X = 1234567890123456789012345678901234567.8  (38 digits)
//   11  INSERT i2  Y = 100000000000000000000000000000000000.05   (38 digits)
//   12  REMOVE i1  (−X)
//   13  INSERT i3  7
// The month row takes the batch (Y + 7). The all-time row refuses it (0.001 + Y + 7: 39 digits) and, record by
// record, refuses 10, 11 and 12 (0.001 ± X, 0.001 + Y), so all three are NUMBER_UNREPRESENTABLE letters, to be
// taken back from the month row. Taken back in record order, 10 goes first while 11 is still there: Y + 7 − X needs
// 39 digits, the store refuses it, and 10 was kept in the month row for good (its letter leaving that row out),
// though once 11 and 12 are taken back the row without 10 (7 + X − X) fits.
// Observed (before the fix): amt_1 = 1234567890123456789012345678901234574.8 (X + 7), n_1 = 2, and 10's letter pends
// only the all-time row: a dead-lettered record stays counted in a row whose sum without it can be stored.
// Expected: amt_1 = 7, n_1 = 1 (no refused record leaves a trace: a take-back refused is tried again after the
// batch's other take-backs, and kept only if still refused), and no letter leaves a row out.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { ARN, image, JUNE, MAY, wideRollup, X } from './wide-delta-fixture.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = wideRollup('tb');
const Y = '100000000000000000000000000000000000.05';

const record = (
  seq: number,
  name: 'INSERT' | 'REMOVE',
  id: string,
  ts: number,
  amount: string,
): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: name,
  eventSourceARN: ARN,
  dynamodb: {
    SequenceNumber: String(seq).padStart(21, '0'),
    ApproximateCreationDateTime: JUNE / 1000,
    Keys: { id: { S: id } },
    ...(name === 'INSERT' ? { NewImage: image(id, ts, amount) } : { OldImage: image(id, ts, amount) }),
  },
});
const insert = (seq: number, id: string, ts: number, amount: string) => record(seq, 'INSERT', id, ts, amount);

describe.each<WriteApi>(['partiql', 'update-item'])('take-backs of two refused records (%s)', (api) => {
  it('leave neither in a row whose sum without them fits', async () => {
    const table = uniqueTableName(`s42r-tb-${api}`);
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [rollup],
      now: () => JUNE + 3_600_000,
      write: { api },
      deadLetter: { send: async (l) => void letters.push(...l) },
    });
    await applier.apply({ records: [insert(5, 'i0', MAY, '0.001')], shardId: 's' });
    const { poison } = await applier.apply({
      records: [
        insert(10, 'i1', JUNE, X),
        insert(11, 'i2', JUNE, Y),
        record(12, 'REMOVE', 'i1', JUNE, X),
        insert(13, 'i3', JUNE, '7'),
      ],
      shardId: 's',
    });
    expect(poison.map((p) => [Number(p.sequenceNumber), p.error.code])).toEqual([
      [10, 'NUMBER_UNREPRESENTABLE'],
      [11, 'NUMBER_UNREPRESENTABLE'],
      [12, 'NUMBER_UNREPRESENTABLE'],
    ]);
    const month = (await scanTable(clients.ddb, table)).find((i) => i.sk?.S === 'M2026-06');
    expect([month?.n_1?.N, month?.amt_1?.N?.replace(/\.0*$/, '')]).toEqual(['1', '7']);
    // no letter leaves a row out: a replay writes each where it is missing
    expect(poison.map((p) => p.pendingRows)).toEqual([undefined, undefined, undefined]);
    expect(letters).toHaveLength(3);
  });
});

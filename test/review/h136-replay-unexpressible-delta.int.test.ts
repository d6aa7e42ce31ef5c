// Review h136: a MODIFY whose old and new values are both DynamoDB numbers but whose difference is not one (1e20 + 1 →
// 1e-19: 40 significant digits). On a row holding only that item the row's value after the change (1e-19) is one
// DynamoDB stores, yet the Applier refuses the record (NUMBER_UNREPRESENTABLE, "a sum of this record cannot be
// stored"): the row keeps the old value, the source holds the new one (drift until a repair). Its letter can never be
// replayed, and worse, `replayDeadLetters` throws NUMBER_OUT_OF_RANGE out of the whole call when it plans it
// (`toDynamoN` in replay-plan.ts's planRows, outside any per-letter catch): every letter after it in the list is left
// unreplayed and no result is returned, so `dynotally dead-letters replay --all` fails on every run until the letter is
// dropped. Fixed (helper-137): a replay sends such a delta as the old image taken out and the new one added, two
// updates of the row in two marked chunks (each fits, and so does the row after each), so the letter is replayed; a
// letter whose rows still cannot be planned is `still-poison` with its code, and the replay goes on. The Applier's
// refusal stays (it adds a record's delta to a row in one write: docs/dead-letters.md); it is recorded as the test's
// first expectation.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts } from '../apply/digits-rollups.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
let seq = 1000;
function record(
  id: string,
  g: string,
  oldAmount: string | undefined,
  newAmount: string | undefined,
): DynamoDBRecord {
  seq += 1;
  const image = (a: string | undefined): Record<string, AttributeValue> | undefined =>
    a === undefined ? undefined : { id: { S: id }, g: { S: g }, amount: { N: a }, t: { N: '1763800000000' } };
  const OldImage = image(oldAmount);
  const NewImage = image(newAmount);
  return {
    eventID: `e${seq}`,
    eventName: OldImage === undefined ? 'INSERT' : NewImage === undefined ? 'REMOVE' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: id } },
      ...(OldImage === undefined ? {} : { OldImage }),
      ...(NewImage === undefined ? {} : { NewImage }),
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: 1_763_800_000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}

const cells = async (table: string) => {
  const out: Record<string, string> = {};
  for (const item of await scanTable(clients.ddb, table))
    for (const a of ['n', 'total'])
      if (item[a]?.N !== undefined) out[`${item.pk?.S}|${a}`] = item[a]?.N as string;
  return out;
};

describe('a MODIFY whose own delta needs more than 38 digits', () => {
  it('is refused by the Applier, and its letter is replayed, old image out and new one in, with the letters after it', async () => {
    const table = uniqueTableName('h136-mod');
    const dlq = uniqueTableName('h136-mod-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlq);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [amounts],
      deadLetter: new DynamoDbDeadLetterSink(clients.ddb, dlq),
    });
    const one = async (r: DynamoDBRecord) =>
      (await applier.apply({ records: [r], shardId: 's1' })).poison.map((p) => p.error.code);
    await one(record('a', 'big', undefined, '100000000000000000001'));
    // refused although the row could hold its result (1e-19): the row keeps the old value
    expect(await one(record('a', 'big', '100000000000000000001', '0.0000000000000000001'))).toEqual([
      'NUMBER_UNREPRESENTABLE',
    ]);
    // another group: 1e-19 refused while 1e20 is there, replayable once it is removed
    await one(record('x', 'other', undefined, '1e20'));
    expect(await one(record('y', 'other', undefined, '1e-19'))).toEqual(['NUMBER_UNREPRESENTABLE']);
    await one(record('x', 'other', '1e20', undefined));
    // before the fix: threw NUMBER_OUT_OF_RANGE planning the first letter; y's letter was never replayed
    const results = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [amounts],
      all: true,
    });
    expect(results.map((r) => [r.outcome, r.rows])).toEqual([
      ['replayed', 1],
      ['replayed', 1],
    ]);
    expect(await listDeadLetters({ client: clients.ddb, table: dlq, replayed: false })).toEqual([]);
    expect(await cells(table)).toMatchObject({
      'amounts#sbig|n': '1',
      'amounts#sbig|total': '0.0000000000000000001',
      'amounts#sother|n': '1',
      'amounts#sother|total': '0.0000000000000000001',
    });
  });
});

// `last` over strings, on a tie of event times: the larger value wins, in one order everywhere. DynamoDB compares
// strings by their UTF-8 bytes (code point order), so the stored row's conditional SET keeps '😀' (U+1F600) over 'Ａ'
// (U+FF21); JavaScript's `<` compares UTF-16 code units, where the emoji's high surrogate (0xD83D) is below 0xFF21.
// A batch that held both values kept 'Ａ' and two batches '😀': the stored value depended on how the stream cut its
// batches, and verify's recomputation disagreed with either (review s37q, noticed; fixed in compareScalar).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, scanTable } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = defineRollup({
  name: 'labels',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { latest: last('s') },
});
const T = Date.UTC(2026, 2, 1, 12);
const FULLWIDTH_A = '\uFF21';
const EMOJI = '\u{1F600}';

const put = (seq: number, id: string, s: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-03-01T00:00:00.000',
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: T / 1000,
    Keys: { id: { S: id } },
    NewImage: { id: { S: id }, g: { S: 'x' }, ts: { N: String(T) }, s: { S: s } },
  },
});

describe.each<WriteApi>(['partiql', 'update-item'])('last of strings on a tie (%s)', (api) => {
  it.each([
    ['one batch, emoji first', [[EMOJI, FULLWIDTH_A]]],
    ['one batch, emoji second', [[FULLWIDTH_A, EMOJI]]],
    ['two batches, emoji first', [[EMOJI], [FULLWIDTH_A]]],
    ['two batches, emoji second', [[FULLWIDTH_A], [EMOJI]]],
  ])('keeps the larger in code point order, however the values are batched (%s)', async (_, batches) => {
    const table = uniqueTableName(`last-str-${api}`);
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [rollup],
      write: { api },
    });
    let seq = 100;
    for (const values of batches as string[][]) {
      const records = values.map((v) => put(seq, `i${seq++}`, v));
      await applier.apply({ records, shardId: 's' });
    }
    const cells = canonicalCells([rollup.compiled], await scanTable(clients.ddb, table));
    expect(cells.get('labels|[["string","x"]]|day|D2026-03-01|latest')).toBe(EMOJI);
  });
});

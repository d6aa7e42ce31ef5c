// `last` keeps the value of the latest event time, and on a tie the larger value, also across batches: the stored
// row's conditional SET decides then, on DynamoDB Local, through both write APIs and in either arrival order.
// Mutation pass (s35m): the store-side tie turned around (`#a > :v`) was seen only by the tests of the statements'
// exact text; the oracle properties rarely tie across batches.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { defineRollup, last, max, min } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, scanTable } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = defineRollup({
  name: 'readings',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { latest: last('v'), lo: min('v'), hi: max('v') },
});
const T = Date.UTC(2026, 2, 1, 12);

const put = (seq: number, id: string, v: string, ts = T): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-03-01T00:00:00.000',
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: T / 1000,
    Keys: { id: { S: id } },
    NewImage: { id: { S: id }, g: { S: 'x' }, ts: { N: String(ts) }, v: { N: v } },
  },
});

describe.each<WriteApi>(['partiql', 'update-item'])('last across batches (%s)', (api) => {
  it.each([
    ['larger first', ['5', '3']],
    ['larger second', ['3', '5']],
  ])(
    'a tie of event times keeps the larger value (%s); a later time wins whatever its value',
    async (_, values) => {
      const table = uniqueTableName(`last-ties-${api}`);
      await createAggregateTable(clients.ddb, table);
      const applier = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [rollup],
        write: { api },
      });
      const [a, b] = values as [string, string];
      await applier.apply({ records: [put(100, 'a', a)], shardId: 's' });
      await applier.apply({ records: [put(200, 'b', b)], shardId: 's' });
      const cell = async (m: string) =>
        canonicalCells([rollup.compiled], await scanTable(clients.ddb, table)).get(
          `readings|[["string","x"]]|day|D2026-03-01|${m}`,
        );
      expect(await cell('latest')).toBe('5');
      expect(await cell('lo')).toBe('3');
      expect(await cell('hi')).toBe('5');
      // an earlier time never wins, a later one always does
      await applier.apply({ records: [put(300, 'c', '9', T - 1)], shardId: 's' });
      expect(await cell('latest')).toBe('5');
      await applier.apply({ records: [put(400, 'd', '1', T + 1)], shardId: 's' });
      expect(await cell('latest')).toBe('1');
    },
  );
});

// Review: the estimate of an unknown row sent first as an UPDATE (the guess 'update') on a ranked row. The stored
// row is in the leaderboard index (every write of a ranked row sets its rank), so the UPDATE moves it there: a
// delete and a put. Before the guesses such a row went INSERT (refused) then UPDATE; now the UPDATE alone, and
// its estimate must still equal what the bench prices from the aggregate table's images.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { enableImageStream, priceStreamImages } from '../../bench/suites/image-pricing.ts';
import { meterWrites } from '../../bench/suites/write-meter.ts';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const ranked = defineRollup({
  name: 'rk',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['day'] },
});
const NOW = 1_763_800_060_000;

describe('estimate of ranked rows sent first as UPDATE by the guess', () => {
  it('equals the priced writes', async () => {
    const table = uniqueTableName('guess-est');
    await createAggregateTable(clients.ddb, table);
    const arn = await enableImageStream(clients.ddb, table);
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    const meter = meterWrites(client, { imageTables: new Set([table]) });
    const insert = insertRecords();
    const groups = (from: number, to: number): DynamoDBRecord[] =>
      Array.from({ length: to - from }, (_, i) => insert(`x${from + i}`, { g: { S: `g${from + i}` } }));
    const mk = () =>
      new Applier({
        client,
        table,
        rollups: [ranked],
        write: { api: 'partiql' },
        pruneSampleEvery: 0,
        concurrency: 1,
        now: () => NOW,
      });
    let priced = 0;
    const step = async (a: Applier, records: DynamoDBRecord[], shardId: string) => {
      const { report } = await a.apply({ records, shardId });
      const total = meter.totals().writeUnits + (await priceStreamImages(clients.streams, arn)).writeUnits;
      const out = { estimated: report.estimatedWriteUnits, priced: total - priced, rows: report.rowsWritten };
      priced = total;
      return out;
    };
    try {
      const created = await step(mk(), groups(0, 20), 'shard-a');
      expect(created.estimated).toBe(created.priced);
      const b = mk();
      // nothing learnt: INSERT refused, then UPDATE
      const first = await step(b, groups(0, 10), 'shard-b');
      // learnt: UPDATE first
      const second = await step(b, groups(10, 20), 'shard-b');
      expect({ first, second }).toEqual({
        first: { ...first, estimated: first.priced },
        second: { ...second, estimated: second.priced },
      });
    } finally {
      client.destroy();
    }
  });
});

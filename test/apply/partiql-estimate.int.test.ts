// DynamoDB Local reports no consumed capacity for PartiQL, so the Applier prices its PartiQL writes itself from
// the rows' estimated sizes (report.estimatedWriteUnits). Here that estimate must equal, batch by batch, what the
// bench prices for the same writes: each write that changed a row from the images a NEW_AND_OLD_IMAGES stream on
// the aggregate table recorded, each refused one from the row its answer returned (bench/suites: the priced
// figure of `npm run bench`). The shapes: rows that grow across batches past 1 KB (minutes added to an hour row,
// as in the buffered bench's S4 workload: its estimate ran 1 % low), and min / max writes on a ranked row, some
// of them beaten by the stored value.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { enableImageStream, priceStreamImages } from '../../bench/suites/image-pricing.ts';
import { meterWrites } from '../../bench/suites/write-meter.ts';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { writeUnits } from '../../packages/dynotally/src/cost/index.ts';
import { count, defineRollup, max } from '../../packages/dynotally/src/definition/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { historyKey } from '../../packages/dynotally/src/retention/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const DAY_START = Date.UTC(2026, 10, 22);

// long measure names, so that an hour row holding every minute (or a day row every hour) passes 1 KB
const measures = {
  ordersPlacedCount: count({ where: { type: 'order' } }),
  productViewsCount: count({ where: { type: 'view' } }),
  basketAdditionsCount: count({ where: { type: 'basket' } }),
};
const minutesInHourRows = defineRollup({
  name: 'minutes',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['minute', 'hour'],
  measures,
});
const hoursInRankedDayRows = defineRollup({
  name: 'ranked',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'day'],
  measures: { ...measures, largestBasketValue: max('amount') },
  leaderboard: { measure: 'ordersPlacedCount', granularities: ['day'] },
});

/** INSERTs of two stores: record `i` at minute `i % 60` of hour `i % hours`; amounts up and down. */
function records(from: number, to: number, hours: number): DynamoDBRecord[] {
  const out: DynamoDBRecord[] = [];
  for (let i = from; i < to; i++) {
    const t = DAY_START + (i % hours) * 3_600_000 + (i % 60) * 60_000;
    const seq = String(1000 + i);
    out.push({
      eventID: `e${seq}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM,
      dynamodb: {
        Keys: { id: { S: `r${i}` } },
        NewImage: {
          id: { S: `r${i}` },
          storeId: { S: i % 5 === 0 ? 'store-2' : 'store-1' },
          type: { S: ['order', 'view', 'basket'][i % 3] as string },
          amount: { N: String((i * 37) % 101) },
          t: { N: String(t) },
        },
        SequenceNumber: seq,
        ApproximateCreationDateTime: Math.floor(t / 1000),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  }
  return out;
}

/** Write units of the rollup's retention history item as stored (what its one UpdateItem cost). */
async function historyUnits(table: string, rollup: string): Promise<number> {
  const item = await clients.ddb.send(new GetItemCommand({ TableName: table, Key: historyKey(rollup) }));
  return writeUnits(undefined, item.Item);
}

describe('PartiQL write units estimated by the Applier', () => {
  it.each([
    { shape: 'count rows gaining minutes past 1 KB', rollup: minutesInHourRows, hours: 1 },
    {
      shape: 'min / max writes on ranked rows (some refused), rows gaining hours past 1 KB',
      rollup: hoursInRankedDayRows,
      hours: 24,
    },
  ])('$shape: equal the priced writes, batch by batch', async ({ rollup, hours }) => {
    const table = uniqueTableName('agg-estimate');
    await createAggregateTable(clients.ddb, table);
    const arn = await enableImageStream(clients.ddb, table);
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    const meter = meterWrites(client, { imageTables: new Set([table]) });
    // pruneSampleEvery 0: every row goes by PartiQL (a sampled row would go by UpdateItem: reported, not estimated).
    // One request at a time: statements on one row in concurrent requests are applied in an order the Applier
    // cannot see, and which write of a row crosses a KB boundary depends on it (a unit or two either way).
    const applier = new Applier({
      lateRecords: 'apply',
      client,
      table,
      rollups: [rollup],
      write: { api: 'partiql' },
      pruneSampleEvery: 0,
      concurrency: 1,
      now: () => DAY_START + 30 * 3_600_000,
    });
    let estimated = 0;
    let priced = 0;
    let history = 0; // the rollup's retention history item, recorded before the first batch's rows (reported, not estimated)
    try {
      for (let from = 0; from < 240; from += 24) {
        const { report } = await applier.apply({
          records: records(from, from + 24, hours),
          shardId: 'shard-1',
        });
        expect(report.retries).toBe(0); // a throttled statement sent again would be priced twice, estimated once
        const recorded = from === 0 ? await historyUnits(table, rollup.name) : 0;
        if (from === 0) history = recorded;
        // PartiQL alone: every unit estimated, but the history's UpdateItem (whose units the store reports)
        expect(report.estimatedWriteUnits).toBe(report.writeUnits - recorded);
        estimated += report.writeUnits - recorded;
        const total = meter.totals().writeUnits + (await priceStreamImages(clients.streams, arn)).writeUnits;
        expect({ from, units: report.writeUnits }).toEqual({ from, units: total - priced });
        priced = total;
      }
      if (hours > 1) expect(meter.totals().statementsRefused).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
    const sizes = (await scanTable(clients.ddb, table)).map((i) => writeUnits(undefined, i));
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(2); // rows did pass 1 KB
    expect(estimated + history).toBe(priced);
  });
});

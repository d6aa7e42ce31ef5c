// Fixed-seed data sets for the query benchmark, and the reference systems' one-row-per-bucket tables.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { calendarFor, parseGranularity } from '../../packages/dynotally/src/time/index.ts';
import { finalItems, generateWorkload, mulberry32, toStreamRecords } from '../workload/index.ts';

/** "Now" for every query of the benchmark: a Sunday afternoon, not on a minute boundary. */
export const BENCH_NOW = Date.UTC(2026, 10, 22, 13, 5, 30);

/** S0-like: jobs per customer, minute precision (minutes packed in hour rows, days in month rows). */
export const benchJobs = defineRollup({
  name: 'jobs',
  match: { type: 'job' },
  groupBy: 'customerId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['minute', 'hour', 'day'],
  measures: { jobs: count() },
});

/** S4-like: orders and views per store by day, month, year and all time, ranked by orders. */
export const benchStores = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Europe/London',
  granularities: ['day', 'month', 'year', 'all'],
  measures: { orders: count({ where: { type: 'order' } }), views: count({ where: { type: 'view' } }) },
  leaderboard: { measure: 'orders', granularities: ['month', 'all'] },
});

/** Sizes of the data sets. */
export interface DatasetSizes {
  seed: number;
  s0Customers: number;
  s0EventsPerCustomer: number;
  s4Events: number;
  s4Stores: number;
}

/** A data set: the stream records to fold, and the reference system's rows (pk, sk, counts). */
export interface Dataset {
  records: DynamoDBRecord[];
  /** The busiest group (the one the benchmark reads). */
  hotGroup: string;
  baseline: Array<{ pk: string; sk: string; values: Record<string, number> }>;
}

/**
 * S0-like jobs: `s0Customers` customers, each with `s0EventsPerCustomer` jobs spread over the 26 hours before
 * {@link BENCH_NOW} (customer 1 the busiest); the baseline stores one row per minute and one per hour.
 */
export function s0Dataset(sizes: DatasetSizes): Dataset {
  const rnd = mulberry32(sizes.seed);
  const cal = calendarFor('UTC');
  const minute = parseGranularity('minute');
  const hour = parseGranularity('hour');
  const records: DynamoDBRecord[] = [];
  const rows = new Map<string, { pk: string; sk: string; values: Record<string, number> }>();
  const bump = (pk: string, sk: string) => {
    const k = `${pk}\u0000${sk}`;
    const r = rows.get(k) ?? { pk, sk, values: { jobs: 0 } };
    r.values.jobs = (r.values.jobs ?? 0) + 1;
    rows.set(k, r);
  };
  let seq = 1;
  for (let c = 1; c <= sizes.s0Customers; c++) {
    const customerId = `c-${String(c).padStart(4, '0')}`;
    const n = Math.max(1, Math.round(sizes.s0EventsPerCustomer / c ** 0.5));
    for (let i = 0; i < n; i++) {
      const t = BENCH_NOW - Math.floor(rnd() * 26 * 3_600_000);
      const image: Record<string, AttributeValue> = {
        id: { S: `job#${seq}` },
        type: { S: 'job' },
        customerId: { S: customerId },
        createdAt: { N: String(t) },
      };
      records.push(insertRecord(image, seq++, t));
      bump(`base-jobs#${customerId}`, cal.bucket(minute, t).label);
      bump(`base-jobs#${customerId}`, cal.bucket(hour, t).label);
    }
  }
  return { records, hotGroup: 'c-0001', baseline: [...rows.values()] };
}

/**
 * S4-like store events from the benchmark workload generator (Zipf stores, 5 % modifies, 5 % removes) over
 * the 31 days before {@link BENCH_NOW}; the baseline stores one row per store and day, and one all-time row.
 */
export function s4Dataset(sizes: DatasetSizes): Dataset {
  const ops = generateWorkload({
    seed: sizes.seed,
    events: sizes.s4Events,
    stores: sizes.s4Stores,
    startMs: BENCH_NOW - 31 * 86_400_000,
    spanMs: 31 * 86_400_000 - 60_000,
  });
  const records = toStreamRecords(ops, { sequenceStart: 10_000_000 });
  const cal = calendarFor('Europe/London');
  const day = parseGranularity('day');
  const rows = new Map<string, { pk: string; sk: string; values: Record<string, number> }>();
  const perStore = new Map<string, number>();
  const bump = (pk: string, sk: string, type: string) => {
    const k = `${pk}\u0000${sk}`;
    const r = rows.get(k) ?? { pk, sk, values: { orders: 0, views: 0 } };
    const m = type === 'order' ? 'orders' : 'views';
    r.values[m] = (r.values[m] ?? 0) + 1;
    rows.set(k, r);
  };
  for (const item of finalItems(ops)) {
    const pk = `base-store#${item.storeId}`;
    bump(pk, cal.bucket(day, item.ts).label, item.type);
    bump(pk, 'ALL', item.type);
    perStore.set(item.storeId, (perStore.get(item.storeId) ?? 0) + 1);
  }
  const hotGroup =
    [...perStore.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? 'none';
  return { records, hotGroup, baseline: [...rows.values()] };
}

function insertRecord(image: Record<string, AttributeValue>, seq: number, t: number): DynamoDBRecord {
  return {
    eventID: `q${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/bench-jobs/stream/2026-11-22T00:00:00.000',
    awsRegion: 'us-east-1',
    eventVersion: '1.1',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(t / 1000),
      Keys: { id: image.id as never },
      NewImage: image as never,
      SequenceNumber: String(seq).padStart(21, '0'),
      SizeBytes: 120,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Writes the reference system's rows with `BatchWriteItem` (25 at a time, unprocessed items re-sent). */
export async function writeBaselineRows(
  client: DynamoDBClient,
  table: string,
  rows: Dataset['baseline'],
): Promise<void> {
  const puts: WriteRequest[] = rows.map((r) => ({
    PutRequest: {
      Item: {
        pk: { S: r.pk },
        sk: { S: r.sk },
        ...Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, { N: String(v) }])),
      },
    },
  }));
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < puts.length; i += 25) chunks.push(puts.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending: WriteRequest[] | undefined = chunks[next++];
      for (let attempt = 0; pending !== undefined && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = out.UnprocessedItems?.[table];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

// A batch whose rows cancel out for one customer (an item inserted and removed) and not for another, for the tests
// of what is written for such rows.
import type { DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';

const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/jobs/stream/2025-11-22T00:00:00.000';
/** The records' event time. */
export const T = Date.UTC(2025, 10, 22, 8, 30);
/**
 * A rollup of jobs per customer, by hour (in day rows) and all time.
 *
 * @example
 * ```ts
 * new Applier({ client, table, rollups: [jobs] });
 * ```
 */
export const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'all'],
  measures: { placed: count() },
});

const image = (id: string, customer: string) => ({
  id: { S: id },
  customerId: { S: customer },
  t: { N: String(T) },
});
const record = (seq: number, kind: 'INSERT' | 'REMOVE', id: string, customer: string): DynamoDBRecord => ({
  eventID: String(seq),
  eventName: kind,
  eventSourceARN: ARN,
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: T / 1000,
    ...(kind === 'INSERT' ? { NewImage: image(id, customer) } : { OldImage: image(id, customer) }),
  },
});
/**
 * c1's job is inserted and removed (its two rows cancel out); c2's job stays (two rows written).
 *
 * @example
 * ```ts
 * applier.plan({ records: cancellingBatch, shardId: 'shardId-1' });
 * ```
 */
export const cancellingBatch = [
  record(101, 'INSERT', 'j1', 'c1'),
  record(102, 'INSERT', 'j2', 'c2'),
  record(103, 'REMOVE', 'j1', 'c1'),
];

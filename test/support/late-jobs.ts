// What the late-record tests of the handler share: an all-time count per `g`, a clock, and INSERTs written some
// time before it (their event time and their stream time alike).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { scanTable } from './ddb.ts';

/** All-time count of records per `g`. */
export const lateJobs = defineRollup({
  name: 'jobs',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

/** The tests' "now". */
export const LATE_NOW = Date.UTC(2026, 11, 6, 12);
export const HOUR = 3_600_000;

/** A logger that drops everything. */
export const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * An INSERT of group `x` written `ageMs` before {@link LATE_NOW}, with sequence number `seq`.
 *
 * @example
 * ```ts
 * await handler({ shardId: 'shard-1', Records: [writtenAgo('100', 25 * HOUR)] });
 * ```
 */
export function writtenAgo(seq: string, ageMs: number): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-12-01T00:00:00.000',
    dynamodb: {
      SequenceNumber: seq,
      ApproximateCreationDateTime: (LATE_NOW - ageMs) / 1000,
      Keys: { id: { S: seq } },
      NewImage: { id: { S: seq }, g: { S: 'x' }, ts: { N: String(LATE_NOW - ageMs) } },
    },
  };
}

/**
 * The all-time count of `x` in `table`, or undefined when nothing was counted.
 *
 * @example
 * ```ts
 * expect(await countedJobs(client, table)).toBe('1');
 * ```
 */
export async function countedJobs(client: DynamoDBClient, table: string): Promise<string | undefined> {
  return (await scanTable(client, table)).find((r) => r.pk?.S?.startsWith('jobs'))?.n?.N;
}

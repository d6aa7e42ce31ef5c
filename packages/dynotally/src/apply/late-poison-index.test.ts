// A poison record's `index` is its position in the batch apply was given (in sequence order), also when late
// records were split off first: a letter of a record without a sequence number is keyed `index-<n>` by it.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../dead-letter/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { Applier } from './applier.ts';

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-seconds' },
  granularities: ['all'],
  measures: { n: count() },
});
const NOW = Date.UTC(2026, 11, 6);

/** A record nothing can fold (an INSERT without its new image), created `ageSeconds` before NOW. */
const broken = (seq: string | undefined, ageSeconds: number): DynamoDBRecord =>
  ({
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSourceARN: 'arn:test:stream',
    dynamodb: {
      Keys: { id: { S: `i${seq}` } },
      ...(seq === undefined ? {} : { SequenceNumber: seq }),
      ApproximateCreationDateTime: NOW / 1000 - ageSeconds,
    },
  }) as DynamoDBRecord;

describe('poison indexes after late records', () => {
  it('count from the batch as given, not from the records left once the late ones are out', async () => {
    // nothing here folds, so nothing is read or written: a client that is never called
    const letters: DeadLetter[] = [];
    const applier = new Applier({
      client: {} as DynamoDBClient,
      deadLetter: {
        send: async (batch) => {
          letters.push(...batch);
        },
      },
      table: 'aggregates',
      rollups: [jobs],
      lateRecords: 'dead-letter',
      now: () => NOW,
    });
    const records = [broken('1001', 2 * 86_400), broken('1002', 2 * 86_400), broken(undefined, 60)];
    const { poison, report } = await applier.apply({ records, shardId: 'shard-1' });
    expect(poison.map((p) => [p.error.code, p.index])).toEqual([
      ['RECORD_TOO_OLD', 0],
      ['RECORD_TOO_OLD', 1],
      ['RECORD_MALFORMED', 2],
    ]);
    expect(report.poison).toBe(3);
    // the letter of the record without a sequence number is keyed by its place in the batch
    expect(letters.map((l) => l.sequenceNumber)).toEqual(['1001', '1002', 'index-2']);
  });
});

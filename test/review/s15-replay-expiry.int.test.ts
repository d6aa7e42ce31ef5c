// Session 15's second review of dead-letter replay in chunks (replay-chunks.ts): chunk ids "depend only on the
// rows", but a record letter's rows are planned with the replay's clock (planWrites drops a row past its TTL).
// A replay interrupted between two chunks, resumed after some of its rows' retention ran out (a minute bucket
// kept 1 day; letters are kept 14), plans fewer rows: the rows shift between chunks, every chunk id changes,
// and the chunks the first replay committed are sent again: their rows that are still live are counted twice.
// Fixed: replay plans a record's rows whatever their TTL (the same chunks and ids every time) and leaves the
// expired ones out when it sends a chunk. Before the fix this test failed: `view31#sred ALL n: expected '2'`.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const { clients, faulty, faults } = faultyTestClients();

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
/** 40 rollups whose one record makes more than 99 rows: the letter is replayed in two chunks. */
const ROLLUPS = Array.from({ length: 40 }, (_, i) =>
  defineRollup({
    name: `view${String(i).padStart(2, '0')}`,
    groupBy: 'team',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['minute', 'hour', 'day', 'all'],
    retention: { minute: '1d', hour: '1d' },
    measures: { n: count(), amount: sum('amount') },
  }),
);

function insert(): DynamoDBRecord {
  const image: Record<string, AttributeValue> = {
    id: { S: 'job-1' },
    team: { S: 'red' },
    amount: { N: '3' },
    t: { N: String(T0) },
  };
  return {
    eventID: 'e1',
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: 'job-1' } },
      NewImage: image,
      SequenceNumber: '1001',
      ApproximateCreationDateTime: T0 / 1000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('a record letter replayed in chunks, resumed after some of its rows expired', () => {
  it('counts each live row once', async () => {
    // before the fix the second replay re-planned without the expired rows (80 of 120: one chunk, no id) and
    // added the live rows of the first replay's committed chunk again (n = 2)
    const table = uniqueTableName('s15-expiry');
    const dlt = uniqueTableName('s15-expiry-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const letter: DeadLetter = {
      source: STREAM,
      shardId: 'shardId-1',
      sequenceNumber: '1001',
      eventId: 'e1',
      code: 'VALUE_INVALID',
      reason: 'a bug of the rollups, fixed since',
      record: insert(),
      at: T0,
    };
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
    const options = { deadLetterTable: dlt, table, rollups: ROLLUPS, all: true } as const;
    // the first replay, an hour after the record, commits its first chunk and dies before the second
    faults.crashFrom(2);
    await expect(
      replayDeadLetters({ ...options, client: faulty.ddb, now: () => T0 + 3_600_000 }),
    ).rejects.toThrow(/injected crash/);
    faults.heal();
    expect((await listDeadLetters({ client: clients.ddb, table: dlt }))[0]?.replayedChunks).toHaveLength(1);
    // the second, three days later: the minute rows are past their retention
    const now = T0 + 3 * DAY;
    const [result] = await replayDeadLetters({ ...options, client: clients.ddb, now: () => now });
    expect(result?.outcome).toBe('replayed');
    const live = (await scanTable(clients.ddb, table)).filter(
      (i) => i.ttl?.N === undefined || Number(i.ttl.N) * 1000 > now,
    );
    expect(live.length).toBeGreaterThan(0);
    for (const row of live) {
      const counters = Object.entries(row).filter(([a]) => a.startsWith('n'));
      expect(counters.length, `${row.pk?.S} ${row.sk?.S}`).toBeGreaterThan(0);
      for (const [a, v] of counters) expect(v.N, `${row.pk?.S} ${row.sk?.S} ${a}`).toBe('1');
    }
  });
});

// Session 15's second review of dead-letter replay in chunks (replay-chunks.ts): chunk ids are positions in the
// sorted rows plus a hash of each chunk's row keys, so they are stable only while the replay plans the same rows.
// A replay interrupted between two chunks, then resumed by a process with one more rollup (the fixed rollups of a
// later deploy: replay folds the record with the rollups it is given, and a poison letter has no pendingRows to
// narrow them), plans rows that shift every chunk: no id matched, and the rows of the chunk the first replay
// committed were added again (n = 2). docs/dead-letters.md asks for the same rollups, and nothing checked it.
// Fixed: each chunk's marker records the digest of the whole cut (replayPlan); a replay that would cut the letter
// otherwise is refused (outcome 'failed', nothing sent), and finishes with the first replay's rollups.
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
const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
/** 40 rollups whose one record makes more than 99 rows: the letter is replayed in two chunks. */
const view = (name: string) =>
  defineRollup({
    name,
    groupBy: 'team',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['minute', 'hour', 'day', 'all'],
    measures: { n: count(), amount: sum('amount') },
  });
const ROLLUPS = Array.from({ length: 40 }, (_, i) => view(`view${String(i).padStart(2, '0')}`));
/** The same rollups and one more, whose rows sort first. */
const MORE = [view('aaa'), ...ROLLUPS];

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

describe('a record letter replayed in chunks, resumed with one more rollup', () => {
  // failed before the cut was recorded: the second replay's chunks had other ids, and the first replay's
  // committed rows were added again (n = 2)
  it("is refused, counts the first replay's rows once, and finishes with the first replay's rollups", async () => {
    const table = uniqueTableName('s15-rollups');
    const dlt = uniqueTableName('s15-rollups-dl');
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
    const options = { deadLetterTable: dlt, table, all: true, now: () => T0 + 3_600_000 } as const;
    faults.crashFrom(2);
    await expect(replayDeadLetters({ ...options, rollups: ROLLUPS, client: faulty.ddb })).rejects.toThrow(
      /injected crash/,
    );
    faults.heal();
    expect((await listDeadLetters({ client: clients.ddb, table: dlt }))[0]?.replayedChunks).toHaveLength(1);
    const counted = async () => {
      const out = new Map<string, string | undefined>();
      for (const row of await scanTable(clients.ddb, table))
        for (const [a, v] of Object.entries(row))
          if (a.startsWith('n')) out.set(`${row.pk?.S} ${row.sk?.S} ${a}`, v.N);
      return out;
    };
    const before = await counted();
    expect(before.size).toBeGreaterThan(0);

    const [refused] = await replayDeadLetters({ ...options, rollups: MORE, client: clients.ddb });
    expect(refused?.outcome).toBe('failed');
    expect(refused?.reason).toMatch(/cut from other rows than the rollups given now make/);
    expect(await counted()).toEqual(before); // nothing sent

    const [result] = await replayDeadLetters({ ...options, rollups: ROLLUPS, client: clients.ddb });
    expect(result?.outcome).toBe('replayed');
    const after = await counted();
    expect(after.size).toBeGreaterThan(120);
    for (const [cell, n] of after) {
      expect(n, cell).toBe('1');
      expect(cell.startsWith('aaa#'), cell).toBe(false);
    }
  });
});

// Session 15's second review of dead-letter replay in chunks (replay-chunks.ts): a letter whose deltas name one
// row (pk, sk) twice. The sink "accepts anything it is given" (DESIGN.md) and the Redis flusher's letters are
// not the only ones (CHANGELOG: "or one written by hand"), but replayChunks puts both updates of the row in one
// TransactWriteItems (rows sorted by key are adjacent), which DynamoDB refuses ("Transaction request cannot
// include multiple operations on one item"): the letter is 'failed' on every replay, its counters never counted.
// The same holds for two wide rows of one key: replayChunks puts their later parts in the same later chunks.
// Fixed: a repeated row's updates are further parts of the first (each in a later chunk than the one before),
// which leaves the chunks and ids of every letter without a repeated row as they are. Before the fix both cases
// failed: 'replay failed: ValidationException: Transaction request cannot include multiple operations on one item'.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type DeadLetter, DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { replayDeltaLetters } from '../dead-letter/replay-flusher-letters.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const wide = (from: number): Array<readonly [string, string]> =>
  Array.from({ length: 150 }, (_, i) => [`m${i}`, String(from + i)] as const);

describe('a dead letter whose deltas name one row twice', () => {
  it.each([
    ['narrow', [['n', '1']], [['n', '2']]],
    ['wide', wide(1), wide(1000)],
  ] as const)('is replayed, both deltas counted (%s rows)', async (_kind, first, second) => {
    const table = uniqueTableName('s15-repeat');
    const dlt = uniqueTableName('s15-repeat-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const letter: DeadLetter = {
      source: 'hand',
      shardId: undefined,
      sequenceNumber: '1',
      eventId: undefined,
      code: 'ROW_REJECTED',
      reason: 'written by hand',
      record: undefined,
      at: Date.now(),
      deltas: [
        { pk: 'jobs#red', sk: 'D2026-12-03', adds: first },
        { pk: 'jobs#red', sk: 'D2026-12-03', adds: second },
      ],
    };
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
    await replayDeltaLetters(clients.ddb, dlt, table);
    const [row] = await scanTable(clients.ddb, table);
    first.forEach(([attr, v], i) => {
      expect(row?.[attr]?.N, attr).toBe(String(Number(v) + Number(second[i]?.[1])));
    });
  });
});

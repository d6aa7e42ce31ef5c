// A dead letter whose rows are too wide for one write (a ROW_REJECTED letter of the Redis flusher before it
// wrote wide rows in parts: every counter of a row in one DeadLetterDelta) is replayed in several transactions,
// a wide row cut into several updates (dead-letter/replay-chunks.ts), each transaction marking its chunk on the
// letter. A replay that crashes between two of them (the process dies: the replay throws and marks nothing), or
// whose answer is lost after a transaction committed, followed by another replay, adds every counter exactly
// once: none twice, none skipped.
import { describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  type DeadLetterDelta,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { letterItemBound } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { replayChunks } from '../../packages/dynotally/src/dead-letter/replay-chunks.ts';
import { DYNAMO_LIMITS } from '../../packages/dynotally/src/layout/dynamo-limits.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const { clients, faulty, faults } = faultyTestClients();

/** 610 counters (10 measures at ['minute', 'hour']), each a different value, so a double or a gap shows. */
function wideRow(pk: string, leaderboard: boolean): DeadLetterDelta {
  const adds: Array<readonly [string, string]> = [];
  for (let m = 0; m < 10; m++)
    for (let c = 0; c <= 60; c++) adds.push([`measure${m}_${c}`, String(m * 100 + c + 1)]);
  return {
    pk,
    sk: 'H2025-11-22T08',
    adds,
    ttl: 1_900_000_000,
    leaderboard: leaderboard ? { key: 'wide#H2025-11-22T08#0', delta: '17' } : undefined,
  };
}

/**
 * Two wide rows and 120 narrow ones. A letter's deltas name rows of unknown size, each counted at 400 KB in a
 * transaction's 4 MB: 14 chunks of whole rows (9 to a chunk; the wide rows' first parts in the 14th), then 6 of the
 * wide rows' further parts (by items alone it was 2 chunks of 99 rows, then 6).
 */
const deltas: DeadLetterDelta[] = [
  wideRow('wide#sg1', false),
  wideRow('wide#sg2', true),
  ...Array.from(
    { length: 120 },
    (_, i): DeadLetterDelta => ({
      pk: `narrow#${i}`,
      sk: 'D2025-11-22',
      adds: [
        ['orders', String(i + 1)],
        ['orders_22', String(i + 1)],
      ],
    }),
  ),
];
const TRANSACTIONS = 20;

async function setUp(): Promise<{ table: string; dlt: string; id: string; chunks: number }> {
  const table = uniqueTableName('replay-wide');
  const dlt = uniqueTableName('replay-wide-dl');
  await createAggregateTable(clients.ddb, table);
  await createDeadLetterTable(clients.ddb, dlt);
  const letter: DeadLetter = {
    source: 'redis:flush',
    shardId: undefined,
    sequenceNumber: '1763800000000#wide#H2025-11-22T08',
    eventId: undefined,
    code: 'ROW_REJECTED',
    reason: 'DynamoDB refused the aggregate row',
    record: undefined,
    at: Date.now(),
    deltas,
  };
  await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
  const [stored] = await listDeadLetters({ client: clients.ddb, table: dlt });
  if (stored === undefined) throw new Error('the letter was not stored');
  // the transactions the replay cuts: every row at 400 KB, the letter's item as stored
  const chunks = replayChunks(deltas, {
    row: () => DYNAMO_LIMITS.itemBytes,
    marker: (n) => letterItemBound(stored.baseBytes, n),
  }).length;
  return { table, dlt, id: stored.id, chunks };
}

/** Every counter of every row exactly once, the leaderboard entry once, nothing else added. */
async function expectCountedOnce(table: string): Promise<void> {
  const rows = new Map((await scanTable(clients.ddb, table)).map((i) => [`${i.pk?.S}\n${i.sk?.S}`, i]));
  expect(rows.size).toBe(deltas.length);
  for (const d of deltas) {
    const row = rows.get(`${d.pk}\n${d.sk}`);
    for (const [attr, v] of d.adds) expect(row?.[attr]?.N, `${d.pk} ${attr}`).toBe(v);
    expect(row?.lbv?.N).toBe(d.leaderboard?.delta);
    expect(row?.lbk?.S).toBe(d.leaderboard?.key);
    if (d.ttl !== undefined) expect(row?.ttl?.N).toBe(String(d.ttl));
  }
}

describe('replay of a letter with rows too wide for one write', () => {
  it('sends several transactions, each within the limits', async () => {
    expect((await setUp()).chunks).toBe(TRANSACTIONS);
  });

  it.each([1, 2, 14, 15, 16, 18, 20])(
    'a crash before transaction %i, then another replay: every counter exactly once',
    async (k) => {
      const { table, dlt, id } = await setUp();
      const options = { deadLetterTable: dlt, table, rollups: [], all: true } as const;
      faults.crashFrom(k);
      await expect(replayDeadLetters({ ...options, client: faulty.ddb })).rejects.toThrow(/injected crash/);
      expect(faults.accepted.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(k - 1);
      faults.heal();
      const [again] = await replayDeadLetters({ ...options, client: faulty.ddb });
      expect(again?.reason).toBeUndefined();
      expect(again?.outcome).toBe('replayed');
      // the second replay sent only the transactions the first did not commit
      expect(faults.log.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(
        TRANSACTIONS - (k - 1),
      );
      await expectCountedOnce(table);
      const [third] = await replayDeadLetters({ ...options, client: clients.ddb, all: false, ids: [id] });
      expect(third?.outcome).toBe('already-replayed');
      await expectCountedOnce(table);
    },
  );

  it.each([1, 14, 15, 20])(
    'the answer to transaction %i lost after it committed (retried): every counter exactly once',
    async (k) => {
      const { table, dlt } = await setUp();
      faults.loseResponse(k);
      const [result] = await replayDeadLetters({
        client: faulty.ddb,
        deadLetterTable: dlt,
        table,
        rollups: [],
        all: true,
      });
      expect(faults.injected).toBe(1);
      expect(result?.reason).toBeUndefined();
      expect(['replayed', 'already-replayed']).toContain(result?.outcome);
      faults.heal();
      await expectCountedOnce(table);
      const letters = await listDeadLetters({ client: clients.ddb, table: dlt });
      expect(letters.every((l) => l.replayedAt !== undefined)).toBe(true);
    },
  );
});

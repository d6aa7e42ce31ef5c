// A letter's `deltas` rows (the Redis flusher's ROW_REJECTED letters, or written by hand) were each counted at
// 400 KB in the replay's byte cut (the stored row is not read), so such a letter went about 9 rows to a transaction:
// 120 rows took 14 transactions, each updating the letter's item too (billed at the letter's size). Now a row of a
// rollup the replay is given counts at the most that rollup's rows can hold plus what the update carries
// (`deltaRowBytes`), as a folded row does: 120 rows go in 2 transactions (99 + 21). A row of a rollup not given
// still counts at 400 KB. A replay an older release began with its 400 KB cut resumes with that cut (its recorded
// plan digest), sending only the transactions it did not commit.
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import {
  type DeadLetterDelta,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { letterItemBound } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { replayChunks, replayPlanDigest } from '../../packages/dynotally/src/dead-letter/replay-chunks.ts';
import {
  replayMarkerUpdate,
  replayRowUpdate,
} from '../../packages/dynotally/src/dead-letter/replay-params.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { DYNAMO_LIMITS } from '../../packages/dynotally/src/layout/dynamo-limits.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const { clients, faulty, faults } = faultyTestClients();

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-seconds' },
  granularities: ['all'],
  measures: { n: count() },
});

/** 120 rows of `jobs`, each adding its own count, so a double or a gap shows. */
const deltas: DeadLetterDelta[] = Array.from({ length: 120 }, (_, i) => ({
  pk: `jobs#sc-${String(i).padStart(3, '0')}`,
  sk: 'ALL',
  adds: [['n', String(i + 1)]],
}));

async function setUp(prefix: string) {
  const table = uniqueTableName(prefix);
  const dlt = uniqueTableName(`${prefix}-dl`);
  await createAggregateTable(clients.ddb, table);
  await createDeadLetterTable(clients.ddb, dlt);
  await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([
    {
      source: 'redis:flush',
      shardId: undefined,
      sequenceNumber: '1763800000000#jobs#ALL',
      eventId: undefined,
      code: 'ROW_REJECTED',
      reason: 'DynamoDB refused the aggregate row',
      record: undefined,
      at: Date.now(),
      deltas,
    },
  ]);
  const [letter] = await listDeadLetters({ client: clients.ddb, table: dlt });
  if (letter === undefined) throw new Error('the letter was not stored');
  return { table, dlt, letter };
}

async function expectCountedOnce(table: string): Promise<void> {
  const rows = new Map((await scanTable(clients.ddb, table)).map((i) => [i.pk?.S, i.n?.N]));
  expect(rows.size).toBe(deltas.length);
  for (const d of deltas) expect(rows.get(d.pk), d.pk).toBe(d.adds[0]?.[1]);
}

const transactions = () => faults.log.filter((c) => c === 'TransactWriteItemsCommand').length;

describe("a letter's deltas rows in the replay's byte cut", () => {
  it("count at their rollup's bound: 120 rows in 2 transactions (a rollup not given: 400 KB each, 14)", async () => {
    const { table, dlt } = await setUp('rdb-sized');
    faults.heal();
    const [result] = await replayDeadLetters({
      client: faulty.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [jobs],
      all: true,
    });
    expect(result).toMatchObject({ outcome: 'replayed', rows: 120 });
    expect(transactions()).toBe(2);
    await expectCountedOnce(table);

    const other = await setUp('rdb-unknown');
    faults.heal();
    await replayDeadLetters({
      client: faulty.ddb,
      deadLetterTable: other.dlt,
      table: other.table,
      rollups: [],
      all: true,
    });
    expect(transactions()).toBe(14);
    await expectCountedOnce(other.table);
  });

  it('a replay an older release began with its 400 KB cut resumes with that cut', async () => {
    const { table, dlt, letter } = await setUp('rdb-resume');
    // the older release's cut, its first transaction committed (rows and the letter's mark with the plan digest)
    const older = replayChunks(deltas, {
      row: () => DYNAMO_LIMITS.itemBytes,
      marker: (n) => letterItemBound(letter.baseBytes, n),
    });
    expect(older.length).toBe(14);
    const plan = replayPlanDigest(older);
    const first = older[0] as (typeof older)[number];
    const now = Date.now();
    await clients.ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          ...first.updates.map((r) => ({ Update: replayRowUpdate(table, r, now) })),
          {
            Update: replayMarkerUpdate(dlt, letter.key, now, {
              id: first.id as string,
              last: false,
              plan,
            }),
          },
        ],
      }),
    );
    faults.heal();
    const [result] = await replayDeadLetters({
      client: faulty.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [jobs],
      all: true,
    });
    expect(result?.reason).toBeUndefined();
    expect(result?.outcome).toBe('replayed');
    expect(transactions()).toBe(13);
    await expectCountedOnce(table);
  });
});

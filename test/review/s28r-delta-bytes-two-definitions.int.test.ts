// Review s28r, H4 (a letter's deltas rows sized by their rollup in the replay's byte cut): with two definitions of
// one rollup — versions 1 and 2, as a configuration holds them while version 2 is built — the replay sized the rows
// of both versions by whichever definition came last, since it looked rollups up by name in a map built from the
// list (the last entry wins). A version whose rows can hold far more than the other's (minute cells packed in day
// rows, against one all-time cell) then had 99 of its rows put in one transaction, each counted at the narrow
// bound: far past the 4 MB of items DynamoDB takes in one transaction, which it refuses on every attempt (DynamoDB
// Local does not check it, so this test checks the cut: no transaction may carry more rows of the wide version than
// 4 MB holds at that version's bound). Before deltas rows were sized, each counted at 400 KB (about 9 a
// transaction). Fix: a name given by several definitions counts at the largest bound among them.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { deltaRowBytes } from '../../packages/dynotally/src/dead-letter/delta-row-bytes.ts';
import {
  type DeadLetterDelta,
  DynamoDbDeadLetterSink,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const TRANSACTION_BYTES = 4 * 1024 * 1024;

// version 1: a count per minute, packed into day rows (1440 cells a row at most); version 2: one all-time cell
const wide = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-seconds' },
  granularities: ['minute'],
  measures: { n: count(), m: count(), k: count(), p: count(), q: count(), r: count() },
});
const narrow = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-seconds' },
  granularities: ['all'],
  measures: { n: count() },
});

/** A client recording how many row updates each TransactWriteItems carries (the letter's mark left out). */
function recording(): { client: DynamoDBClient; rowsPerTransaction: number[] } {
  const c = testClients();
  const rowsPerTransaction: number[] = [];
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        const items = (args.input as { TransactItems?: unknown[] }).TransactItems ?? [];
        rowsPerTransaction.push(items.length - 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 's28rTx', priority: 'high' },
  );
  afterAll(() => c.destroy());
  return { client: c.ddb, rowsPerTransaction };
}

describe("review s28r: a letter's deltas rows of a rollup given by two definitions", () => {
  it('count at the larger bound: no transaction carries more rows of the wide version than 4 MB holds', async () => {
    const table = uniqueTableName('s28r-dbytes');
    const dlt = uniqueTableName('s28r-dbytes-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    // version 1 is the wide definition (rows under 'jobs'), version 2 the narrow one ('jobs.v2')
    await registerVersions(clients.ddb, table, [wide.compiled, narrow.compiled]);
    // 120 day rows of version 1, each adding one minute's count
    const deltas: DeadLetterDelta[] = Array.from({ length: 120 }, (_, i) => ({
      pk: `jobs#sc-${String(i).padStart(3, '0')}`,
      sk: 'D2026-11-22',
      adds: [['n_600', String(i + 1)]],
    }));
    const wideBound = deltaRowBytes(deltas[0] as DeadLetterDelta, new Map([['jobs', wide.compiled]]));
    const narrowBound = deltaRowBytes(deltas[0] as DeadLetterDelta, new Map([['jobs', narrow.compiled]]));
    // the scenario: 99 rows at the narrow bound fit a transaction, at the wide bound they do not
    expect(99 * narrowBound).toBeLessThan(TRANSACTION_BYTES);
    expect(99 * wideBound).toBeGreaterThan(TRANSACTION_BYTES);
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([
      {
        source: 'redis:flush',
        shardId: undefined,
        sequenceNumber: '1763800000000#jobs#D',
        eventId: undefined,
        code: 'ROW_REJECTED',
        reason: 'DynamoDB refused the aggregate row',
        record: undefined,
        at: Date.now(),
        deltas,
      },
    ]);

    const rec = recording();
    const [result] = await replayDeadLetters({
      client: rec.client,
      deadLetterTable: dlt,
      table,
      rollups: [wide, narrow], // as a configuration lists the versions: the narrow one last
      all: true,
    });
    expect(result).toMatchObject({ outcome: 'replayed', rows: 120 });
    const most = Math.floor(TRANSACTION_BYTES / wideBound);
    expect(Math.max(...rec.rowsPerTransaction)).toBeLessThanOrEqual(most);
    // and every row counted once
    const rows = new Map((await scanTable(clients.ddb, table)).map((i) => [i.pk?.S, i.n_600?.N]));
    for (const d of deltas) expect(rows.get(d.pk), d.pk).toBe(d.adds[0]?.[1]);
  });
});

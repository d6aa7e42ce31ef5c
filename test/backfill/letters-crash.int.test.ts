// A backfill's letters for items the fold refuses survive a crash at any point of their chunk. The process that
// journals a chunk sends them after the journal (which decides, once, what the chunk counts), from its scanned
// page; a process running the chunk later has no page. So the journal marks the refused items (`refused` bits,
// chunk-members.ts), a resume reads them again and sends their letters, and the sink keeps each letter once (its
// key is the segment's shard, the chunk and the index), whether or not the crashed run had sent it.
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { amounts, BAD, amountOrders as items } from './amount-orders.ts';
import { buildingTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

type CrashPoint = 'before the journal' | 'after the journal' | 'between the rows and the progress write';

/** Whether a command is the write of a chunk's journal (an UpdateItem setting `journal`). */
function writesJournal(input: { ExpressionAttributeNames?: Record<string, string> }): boolean {
  return Object.entries(input.ExpressionAttributeNames ?? {}).some(
    ([k, v]) => k.startsWith('#s') && v === 'journal',
  );
}

/** A client on which the first chunk's run crashes at `point` (the process dies: nothing after it runs). */
function crashingAt(point: CrashPoint): DynamoDBClient {
  const c = testClients();
  afterAll(() => c.destroy());
  let crashed = false;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        UpdateExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
      };
      if (crashed || context.commandName !== 'UpdateItemCommand') return next(args);
      if (point === 'before the journal' && writesJournal(input)) {
        crashed = true;
        throw new Error(`crash ${point}`);
      }
      if (point === 'after the journal' && writesJournal(input)) {
        await next(args); // the journal is written; the process dies before it sees the answer
        crashed = true;
        throw new Error(`crash ${point}`);
      }
      if (point === 'between the rows and the progress write' && input.UpdateExpression?.includes('REMOVE')) {
        crashed = true;
        throw new Error(`crash ${point}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'crashingAt' },
  );
  return c.ddb;
}

describe("a backfill's letters after a crash", () => {
  const points: CrashPoint[] = [
    'before the journal',
    'after the journal',
    'between the rows and the progress write',
  ];
  it.each(points)('a crash %s loses no letter and duplicates none', async (point) => {
    const slug = point.split(' ').slice(0, 2).join('-');
    const t = await buildingTables(clients.ddb, `bf-letters-${slug}`, items, amounts.compiled);
    const letters = uniqueTableName(`bf-letters-${slug}-dlq`);
    await createDeadLetterTable(clients.ddb, letters);
    const sink = new DynamoDbDeadLetterSink(clients.ddb, letters);
    const base = { ...t, rollup: amounts, segments: 1, chunkItems: 5, settleMs: 0, deadLetter: sink };

    await expect(runBackfill({ ...base, client: crashingAt(point) })).rejects.toThrow(/crash/);
    const resumed = await runBackfill({ ...base, client: clients.ddb });
    expect(resumed.complete).toBe(true);

    // every refused item has exactly one letter, with its code and keys
    const stored = await listDeadLetters({ client: clients.ddb, table: letters });
    expect(stored.map((l) => [l.record?.dynamodb?.Keys?.id?.S, l.code, l.shardId]).sort()).toEqual(
      [...BAD].map((i) => [`o-${i}`, 'VALUE_INVALID', 'bf-0/1']).sort(),
    );
    // the resumed run reports them as uncountable, none as a non-member
    expect(resumed.progress.uncountable).toBe(BAD.size);
    expect(resumed.progress.uncountableCodes).toEqual({ VALUE_INVALID: BAD.size });
    expect(resumed.progress.nonMembers).toBe(0);
    // and the counts are those of the countable items, each once
    const row = (await scanTable(clients.ddb, t.table)).find((r) => r.pk?.S === 'amt#ss');
    expect([row?.n?.N, row?.total?.N]).toEqual([String(10 - BAD.size), String(2 * (10 - BAD.size))]);
  });

  it('an item fixed between the crash and the resume gets no letter, and is left to the stream', async () => {
    const t = await buildingTables(clients.ddb, 'bf-letters-fixed', items, amounts.compiled);
    const letters = uniqueTableName('bf-letters-fixed-dlq');
    await createDeadLetterTable(clients.ddb, letters);
    const sink = new DynamoDbDeadLetterSink(clients.ddb, letters);
    const base = { ...t, rollup: amounts, segments: 1, chunkItems: 5, settleMs: 0, deadLetter: sink };
    await expect(runBackfill({ ...base, client: crashingAt('after the journal') })).rejects.toThrow(/crash/);
    // o-1's amount is fixed: the stream counts it from this change (no claim, a never-counted item)
    await clients.ddb.send(
      new PutItemCommand({ TableName: t.source, Item: { ...(items[1] as object), amount: { N: '2' } } }),
    );
    const resumed = await runBackfill({ ...base, client: clients.ddb });
    expect(resumed.complete).toBe(true);
    const stored = await listDeadLetters({ client: clients.ddb, table: letters });
    expect(stored.map((l) => l.record?.dynamodb?.Keys?.id?.S).sort()).toEqual(['o-3', 'o-7']);
    expect([resumed.progress.uncountable, resumed.progress.nonMembers]).toEqual([2, 1]);
    const row = (await scanTable(clients.ddb, t.table)).find((r) => r.pk?.S === 'amt#ss');
    expect(row?.n?.N).toBe(String(10 - BAD.size)); // the journal left o-1 to the stream
  });
});

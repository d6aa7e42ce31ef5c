// Issue 11 item 4: one row DynamoDB refuses must not stop the flusher. Its deltas go to the dead-letter table,
// the rest of its bucket and the later buckets flush, and replaying the letter counts it exactly once.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { rowLimitProblem } from '../../packages/dynotally/src/redis/rejected-row.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { MINUTE, scanItems } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });

const tally = defineRollup({
  name: 'tally',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});

const env = useBufferEnv();
let refuse = true;
beforeAll(() => {
  // DynamoDB refuses every row of group 'gpoison' (as it refuses a 2,100-byte key or a 400 KB item)
  env.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; Key?: { pk?: { S?: string } } };
      if (refuse && context.commandName === 'UpdateItemCommand' && input.Key?.pk?.S?.includes('gpoison'))
        throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      return next(args);
    },
    { step: 'initialize', name: 'testRefuseRow' },
  );
});

const insert = streamInserts({ from: 1000, idPrefix: 'i' });
const rec = (g: string, t: number, amount: number) =>
  insert({ g: { S: g }, amount: { N: String(amount) } }, t);

const totals = async (table: string) => {
  const out = new Map<string, string>();
  for (const item of await scanItems(env.ddb, table))
    if (item.sk?.S === 'ALL') out.set(item.pk?.S as string, `${item.n?.N}/${item.amt?.N}`);
  return out;
};

describe('a row DynamoDB refuses', () => {
  it('is dead-lettered with its deltas; the rest of the bucket and the later buckets flush; replay counts it once', async () => {
    const start = Date.UTC(2026, 10, 22, 12, 0, 0);
    const { table, clock, common } = await env.fixture('fdl', [tally], start);
    const dlq = uniqueTableName('fdl-dlq');
    await createDeadLetterTable(env.ddb, dlq);
    const applier = createBufferedApplier(common);
    const flusher = createFlusher({ ...common, deadLetter: new DynamoDbDeadLetterSink(env.ddb, dlq) });
    await applier.apply({
      records: [
        rec('ok', start, 1),
        rec('gpoison', start, 10),
        rec('ok', start, 2),
        rec('gpoison', start, 20),
      ],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    await applier.apply({ records: [rec('ok', start, 4), rec('other', start, 8)], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    const report = await flusher.flushClosed();
    expect(report.buckets).toBe(2);
    expect(report.rowsDeadLettered).toBe(2); // the day row and the all row of group gpoison
    const ok = [...(await totals(table)).entries()].sort();
    expect(ok.map(([pk, v]) => [pk.replace(/^tally#s/, ''), v])).toEqual([
      ['ok', '3/7'],
      ['other', '1/8'],
    ]);
    // a second flush finds nothing left (the bucket with the refused row was completed)
    expect((await flusher.flushClosed()).buckets).toBe(0);
    const letters = await listDeadLetters({ client: env.ddb, table: dlq });
    expect(letters.map((l) => l.code)).toEqual(['ROW_REJECTED', 'ROW_REJECTED']);
    expect(letters.every((l) => l.deltas?.length === 1 && l.record === undefined)).toBe(true);

    // the cause fixed: replay counts the refused rows once, a second replay nothing
    refuse = false;
    const opts = { client: env.ddb, deadLetterTable: dlq, table, rollups: [tally], all: true };
    expect((await replayDeadLetters(opts)).map((r) => r.outcome)).toEqual(['replayed', 'replayed']);
    expect(await replayDeadLetters(opts)).toEqual([]);
    expect((await totals(table)).get('tally#sgpoison')).toBe('2/30');
  });

  it('a key over DynamoDB limits is caught before sending', () => {
    expect(rowLimitProblem({ pk: `tally#s${'x'.repeat(2_100)}`, sk: 'ALL' })).toMatch(/2048-byte/);
    expect(rowLimitProblem({ pk: 'tally#sok', sk: 'y'.repeat(1_025) })).toMatch(/1024-byte/);
    expect(rowLimitProblem({ pk: 'tally#sok', sk: 'ALL' })).toBeUndefined();
  });
});

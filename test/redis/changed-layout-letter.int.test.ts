// A rollup's granularities change from ['day', 'all'] to ['all'] while a day cell is buffered (packed in the month row
// `M2026-11` as `n_22`). The flusher, given the new definition, has no row kind for it: it dead-letters the cell with
// its delta (UNKNOWN_ROLLUP, naming the rollup and the row) and flushes everything else, in this bucket and later
// ones. The letter replays (the delta lands in the old row as named, which the new definition does not read).
// (test/review/h136-flusher-changed-layout.int.test.ts: the other rollups keep flushing.)
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { MINUTE } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const orders = (granularities: ['day', 'all'] | ['all']) =>
  defineRollup({
    name: 'orders',
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities,
    measures: { n: count() },
  });

describe('Redis flusher: cells of a row kind the rollup no longer has', () => {
  it('are dead-lettered with their deltas, and the rest flushes', async () => {
    const { table, clock, common } = await env.fixture('changed-layout', [orders(['day', 'all'])], START);
    const dlq = uniqueTableName('changed-layout-dl');
    await createDeadLetterTable(env.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
    const letters: DeadLetter[] = [];
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'g' } }, START)],
      shardId: 's-1',
    });
    const redeployed = { ...common, rollups: [orders(['all'])] };
    clock.advance(20 * MINUTE); // the next bucket
    await createBufferedApplier(redeployed).apply({
      records: [insert({ g: { S: 'g' } }, START + 20 * MINUTE)],
      shardId: 's-1',
    });
    clock.advance(20 * MINUTE);
    const deadLetter = {
      send: async (l: readonly DeadLetter[]) => {
        letters.push(...l);
        await sink.send(l);
      },
    };
    const report = await createFlusher({ ...redeployed, deadLetter }).flushClosed();
    expect({ buckets: report.buckets, written: report.rowsWritten, dead: report.rowsDeadLettered }).toEqual({
      buckets: 2,
      written: 2, // the ALL row, once per bucket
      dead: 1,
    });
    expect(letters.map((l) => ({ code: l.code, deltas: l.deltas }))).toEqual([
      {
        code: 'UNKNOWN_ROLLUP',
        deltas: [
          { pk: 'orders#sg', sk: 'M2026-11', adds: [['n_22', '1']], ttl: undefined, leaderboard: undefined },
        ],
      },
    ]);
    expect(letters[0]?.reason).toMatch(/rollup 'orders' has no rows like 'M2026-11'.*granularities/);
    const rows = async () =>
      (
        await env.ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: 'orders#sg' } },
            ConsistentRead: true,
          }),
        )
      ).Items?.map((i) => `${i.sk?.S} n=${i.n?.N} n_22=${i.n_22?.N}`);
    expect(await rows()).toEqual(['ALL n=2 n_22=undefined']);
    const replay = await replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [orders(['all'])],
      all: true,
    });
    expect(replay.map((r) => r.outcome)).toEqual(['replayed']);
    // the delta is kept, in the old row kind's row as named
    const month = await env.ddb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'orders#sg' }, sk: { S: 'M2026-11' } } }),
    );
    expect(month.Item?.n_22?.N).toBe('1');
  });
});

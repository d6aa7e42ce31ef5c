// Review h140 (set-up as test/redis/refused-row-tied.int.test.ts): a tied row (f7b48be) whose letter was replayed and
// dropped before the failed flush was run again.
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { MINUTE } from './harness.ts';
import { loseHints } from './lose-hints.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const money = defineRollup({
  name: 'money',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

/*
 * Review h140: the re-run of a bucket whose row is tied (_fr = the part's marker) stores the part's letter again,
 * unconditionally. The letter's key dedupes it only while the letter is stored: when the flush failed after the
 * letter was stored and the operator replayed and dropped that letter before the re-run (a flush that keeps failing
 * is exactly when one looks at the letters), the re-run creates it afresh, and the next replay counts the part a
 * second time.
 */
describe('Redis flusher: a tied row whose letter was replayed and dropped before the re-run', () => {
  // before the fix (the letter sent apart from the tie, and again by the re-run) the row ended n=2 total=2e-16
  it('is counted once', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('refused-drop', [money], START);
    const dlq = uniqueTableName('refused-drop-dl');
    await createDeadLetterTable(env.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
    const store = { client: env.ddb, table: dlq };
    const insert = streamInserts({ from: 1000 });
    const applier = createBufferedApplier(common);
    await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    await createFlusher(common).flushClosed();
    // a write the hints never saw (a direct write during an outage): the group stays known, its hint gone
    await loseHints(env.redis, keyPrefix, 'money#sg');
    clock.advance(MINUTE);
    await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '0.0000000000000001' } }, START)],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    // the flush ties the row with its letter (the sink's transaction), then fails (the bucket is not marked flushed)
    await expect(
      createFlusher({
        ...common,
        deadLetter: {
          commitsAlongside: true,
          send: async (l, o) => {
            await sink.send(l, o);
            throw new Error('stopped after the letter');
          },
        },
      }).flushClosed(),
    ).rejects.toThrow('stopped');
    // the operator takes the 1e22 back, replays the letter, and drops it (replayed letters are cleaned up)
    await env.ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'money#sg' }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD #t :m, #n :one',
        ExpressionAttributeNames: { '#t': 'total', '#n': 'n' },
        ExpressionAttributeValues: { ':m': { N: '-1e22' }, ':one': { N: '-1' } },
      }),
    );
    const first = await replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [money],
      all: true,
    });
    expect(first.map((x) => x.outcome)).toEqual(['replayed']);
    await dropDeadLetters(
      store,
      first.map((x) => x.id),
    );
    // the flusher runs the bucket again
    const again = await createFlusher({ ...common, deadLetter: sink }).flushClosed();
    const letters = await listDeadLetters({ ...store, replayed: false });
    const second = await replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [money],
      all: true,
    });
    const r = await env.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'money#sg' } },
        ConsistentRead: true,
      }),
    );
    const item = r.Items?.[0];
    console.log(
      're-run',
      { written: again.rowsWritten, dead: again.rowsDeadLettered },
      'unreplayed letters after re-run',
      letters.length,
      'second replay',
      second.map((x) => x.outcome),
      `row n=${item?.n?.N} total=${item?.total?.N}`,
    );
    expect(`n=${item?.n?.N} total=${item?.total?.N}`).toBe('n=1 total=0.0000000000000001');
  });
});

// Review h136: a ROW_REJECTED letter is not tied to the row's flush marker. The flusher sends the letter and leaves
// the row's `_fb` where it was, so when the bucket is flushed again (the flush failed after the letter: Redis gone
// before the DONE script, another row of the chunk out of retries, the sink's reply lost) and DynamoDB now takes the
// row (its stored value changed meanwhile: "fix the cause", as the letter's reason says, a write of the buffer's direct
// fallback, a replay of another letter), the row is written and its letter still stands: the replay counts the row's
// deltas a second time. Here the row's 1e-16 is refused against a stored 1e22 whose hint is gone
// (h136-hint-lost), the flush fails after the letter, the 1e22 item's removal reaches the row, the bucket is flushed
// again and the letter replayed.
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink, replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { loseHints } from '../redis/lose-hints.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { uniqueTableName } from '../support/ddb.ts';

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

async function allRow(table: string): Promise<string> {
  const r = await env.ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'money#sg' } },
      ConsistentRead: true,
    }),
  );
  const item = r.Items?.[0];
  return `n=${item?.n?.N} total=${item?.total?.N}`;
}

describe('Redis flusher: a row refused, then flushed again once DynamoDB takes it', () => {
  it('is counted once, whether by the flush or by its letter', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('h136-reflush', [money], START);
    const dlq = uniqueTableName('h136-reflush-dl');
    await createDeadLetterTable(env.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
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
    // the row is refused and dead-lettered; then the flush fails before the bucket is marked done
    const failing = createFlusher({
      ...common,
      deadLetter: {
        send: async (l) => {
          await sink.send(l);
          throw new Error('reply lost');
        },
      },
    });
    await expect(failing.flushClosed()).rejects.toThrow('reply lost');
    expect(await allRow(table)).toBe('n=1 total=10000000000000000000000');
    // the 1e22 item's removal reaches the row (as the direct fallback writes it)
    await env.ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'money#sg' }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD #t :m, #n :one',
        ExpressionAttributeNames: { '#t': 'total', '#n': 'n' },
        ExpressionAttributeValues: { ':m': { N: '-1e22' }, ':one': { N: '-1' } },
      }),
    );
    const again = await createFlusher({ ...common, deadLetter: sink }).flushClosed();
    // DynamoDB would take the row now, but the refusal moved its marker (`_fr`): the re-run leaves it to its letter
    // (before the fix: written, rowsWritten 1)
    expect({ written: again.rowsWritten, dead: again.rowsDeadLettered }).toEqual({ written: 0, dead: 1 });
    const replay = await replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [money],
      all: true,
    });
    expect(replay.map((r) => r.outcome)).toEqual(['replayed']);
    // today: n=2 total=0.0000000000000002
    expect(await allRow(table)).toBe('n=1 total=0.0000000000000001');
  });
});

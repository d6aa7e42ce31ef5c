// Review h136: a rollup's granularities change while its cells are buffered (applier and flusher redeployed with the
// new definition; with no control item nothing refuses it). The flusher meets a row kind the new definition lacks
// (`M2026-11`: day cells packed in a month row) and throws UNKNOWN_ROLLUP for the whole chunk on every tick; buckets
// flush strictly in order, so no row of any rollup is flushed again, until the keys expire (keyTtlMs) and the counts
// are lost. redis-buffer.md's failure table covers a rollup removed ("give the flusher every rollup"), which does not
// apply here: the flusher takes one definition per name. Expected (`it.fails` until then): the other rollup's rows
// flush, and the unknown rows are set aside (dead-lettered with their deltas, as ROW_REJECTED rows are).
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

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
const other = defineRollup({
  name: 'other',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

describe('Redis flusher: granularities changed while cells are buffered', () => {
  it("does not stop every other rollup's flush", async () => {
    const { table, clock, common } = await env.fixture('h136-layout', [orders(['day', 'all']), other], START);
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'g' } }, START)],
      shardId: 's-1',
    });
    const redeployed = { ...common, rollups: [orders(['all']), other] };
    clock.advance(MINUTE);
    await createBufferedApplier(redeployed).apply({
      records: [insert({ g: { S: 'g' } }, START)],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    // before the fix: UNKNOWN_ROLLUP on every run, nothing flushed
    for (let tick = 0; tick < 2; tick++)
      await createFlusher(redeployed)
        .flushClosed()
        .catch(() => undefined);
    const rows = await env.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'other#sg' } },
        ConsistentRead: true,
      }),
    );
    expect(rows.Items?.[0]?.n?.N).toBe('2');
  });
});

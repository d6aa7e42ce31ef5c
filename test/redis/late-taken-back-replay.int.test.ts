// The Redis buffer's counterpart of test/apply/late-too-old-taken-back.int.test.ts, with a real redis-server and a
// replay of the letter checked against an oracle. A record the buffered applier's direct fallback (Redis down,
// `onRedisDown: 'direct'`) refused for 38 digits on `amounts`, whose take-back that delivery cut short after taking it
// back from one of `kinds` / `sorts` and before the other, is redelivered with Redis back:
// (i) under 24 h 40 min old: settled by the direct path (the fence is still open), dead-lettered NUMBER_UNREPRESENTABLE;
// (ii) older: RECORD_TOO_OLD, its letter probed (`lateBufferedPoison`): the Redis watermark is below the record (the
//      fence that refused it never completed, so no rejoin moved it), so the rows are read, the row it was taken back
//      from holding its take-back marker (`pendingRowsOf`); with Redis down again, the rows are read alone.
// Then a record fixing the cause (-1e20 on the group) goes direct, the letter is replayed (`replayDeadLetters`), and
// every row must hold each record exactly once.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys, shardTag } from '../../packages/dynotally/src/redis/keys.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { flakyClient } from './fail-fast-redis.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const env = useBufferEnv();
const opened: Array<{ destroy(): void }> = [];
afterAll(() => {
  for (const c of opened) c.destroy();
});

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SHARD = 'shard-1';

/** A second row per kind, so the refused record reaches two rows it can be taken back from. */
const sorts = defineRollup({
  name: 'sorts',
  groupBy: 'kind',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

type Input = { ExpressionAttributeNames?: Record<string, string> };
/** A client whose second take-back (an UpdateItem setting an `x_…` marker) fails like a crash, while armed. */
function crashingOnSecondTakeBack(): {
  client: DynamoDBClient;
  arm: (on: boolean) => void;
  seen: () => number;
} {
  const c = testClients();
  opened.push(c);
  let armed = false;
  let seen = 0;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const names = Object.values((args.input as Input).ExpressionAttributeNames ?? {});
      if (armed && context.commandName === 'UpdateItemCommand' && names.some((n) => /^x_/.test(n))) {
        if (seen++ === 1) throw Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });
      }
      return next(args);
    },
    { step: 'initialize', name: 's35zCrash', priority: 'high' },
  );
  return { client: c.ddb, arm: (on) => (armed = on), seen: () => seen };
}

/** The records' rows after a (1e20), b (1e-19, refused on amounts) and c (-1e20) all counted once. */
const ORACLE = { amountsN: '3', amountsTotal: 1e-19, kinds: '3', sorts: '3' };

async function scenario(redeliverAt: number, redisAtRedelivery: 'up' | 'down' = 'up') {
  const { table, keyPrefix, clock, common } = await env.fixture('s35z', [amounts, kinds, sorts], T + HOUR);
  const dlq = uniqueTableName('s35z-dlq');
  await createDeadLetterTable(env.ddb, dlq);
  const crash = crashingOnSecondTakeBack();
  const flaky = await flakyClient(env.server.url);
  const applier = createBufferedApplier({
    ...common,
    redis: flaky.client,
    client: crash.client,
    onRedisDown: 'direct',
    write: { api: 'update-item' },
    retry: { maxAttempts: 1 },
    deadLetter: new DynamoDbDeadLetterSink(env.ddb, dlq),
  });
  const rows = async () => {
    const items = await scanTable(env.ddb, table);
    const at = (pk: string) => items.find((i) => i.pk?.S === pk);
    return {
      amountsN: at('amounts#sbig')?.n?.N,
      amountsTotal: Number(at('amounts#sbig')?.total?.N),
      kinds: at('kinds#sk')?.n?.N,
      sorts: at('sorts#sk')?.n?.N,
    };
  };
  try {
    const next = insertRecords();
    const insert = (id: string, amount: string): DynamoDBRecord =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } });
    const run = (records: DynamoDBRecord[]) => applier.apply({ records, shardId: SHARD });
    const source = insert('probe', '0').eventSourceARN as string;
    const watermark = async () =>
      (await env.redis.hget(bufferKeys(keyPrefix).shard(shardTag(source, SHARD)), 'wm')) ?? '';

    flaky.down();
    expect((await run([insert('a', '1e20')])).buffer.mode).toBe('direct');
    const b = insert('b', '1e-19');
    // on time (the shard a day behind), Redis still down: refused on amounts, taken back from one row, then a crash
    clock.set(T + 24 * HOUR + 20 * MINUTE);
    crash.arm(true);
    await expect(run([b])).rejects.toThrow(/injected crash/);
    crash.arm(false);
    expect(crash.seen()).toBe(2);
    const cut = await rows();
    expect([cut.kinds, cut.sorts].sort()).toEqual(['1', '2']);

    // Redis is back for the redelivery: its watermark never passed b (the fence that refused b is still open)
    await flaky.up();
    if (redisAtRedelivery === 'down') flaky.down();
    expect((await watermark()) < String(b.dynamodb?.SequenceNumber).padStart(40, '0')).toBe(true);
    clock.set(redeliverAt);
    await run([b]);
    const letters = await listDeadLetters({ client: env.ddb, table: dlq });
    const code = letters.map((l) => l.code);

    // the cause fixed: c (-1e20, written a day later, on time) takes the group's sum back to 0, direct (Redis down
    // again, so the batch goes straight to DynamoDB whatever the fence)
    if (redisAtRedelivery === 'up') flaky.down();
    const c = insert('c', '-1e20');
    const fixed: DynamoDBRecord = {
      ...c,
      dynamodb: { ...c.dynamodb, ApproximateCreationDateTime: T / 1000 + 24 * 3600 },
    };
    expect((await run([fixed])).buffer.mode).toBe('direct');

    const replay = await replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [amounts, kinds, sorts],
      all: true,
      replayLate: true, // the letter was sent past 24 h 30 min: `dynotally verify` would be run first
      now: clock.now,
    });
    return { code, replay: replay.map((r) => r.outcome), rows: await rows() };
  } finally {
    flaky.client.disconnect();
  }
}

describe('the Redis buffer: a refused record partly taken back by the direct fallback, redelivered late', () => {
  it('under 24 h 40 min: settled (NUMBER_UNREPRESENTABLE), and its replay counts it once on every row', async () => {
    expect(await scenario(T + 24 * HOUR + 33 * MINUTE)).toEqual({
      code: ['NUMBER_UNREPRESENTABLE'],
      replay: ['replayed'],
      rows: ORACLE,
    });
  });

  it('past 24 h 40 min: RECORD_TOO_OLD listing the row it was taken back from, and its replay counts it once on every row', async () => {
    expect(await scenario(T + 24 * HOUR + 42 * MINUTE)).toEqual({
      code: ['RECORD_TOO_OLD'],
      replay: ['replayed'],
      rows: ORACLE,
    });
  });

  it('past 24 h 40 min with Redis down again: RECORD_TOO_OLD from the rows alone, its replay counts it once on every row', async () => {
    expect(await scenario(T + 24 * HOUR + 42 * MINUTE, 'down')).toEqual({
      code: ['RECORD_TOO_OLD'],
      replay: ['replayed'],
      rows: ORACLE,
    });
  });
});

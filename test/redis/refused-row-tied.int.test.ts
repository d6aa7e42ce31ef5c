// A row DynamoDB refuses for what it holds (here a 1e-16 against a stored 1e22 whose hint is gone: 39 digits) is tied
// to its ROW_REJECTED letter: the row's `_fb` moves to the part's marker with `_fr` saying so, in the letter's own
// transaction with the DynamoDB sink, else first and the letter after. A flush that fails between or after those steps is run again after the stored value changed (the 1e22
// taken back, as the direct fallback or an operator would): whichever step it stopped at, the row's deltas are counted
// exactly once after the letters are replayed, never both by the row and by the letter, never by neither.
// (test/review/h136-rejected-row-reflushed.int.test.ts: the flush failing after the letter.)
import {
  type DynamoDBClient,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  type FlusherOptions,
} from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
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

const isMarkerMove = (c: unknown): boolean =>
  c instanceof UpdateItemCommand && c.input.UpdateExpression?.startsWith('SET #w = :w, #r = :r') === true;

/** A client whose marker move (refused-marker.ts) fails once, before it reaches DynamoDB. */
function failingMarkerMove(client: DynamoDBClient): DynamoDBClient {
  let failed = false;
  const send = client.send.bind(client) as (c: unknown) => Promise<unknown>;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown) => {
        if (!failed && isMarkerMove(command)) {
          failed = true;
          throw new Error('stopped before the marker move');
        }
        return send(command);
      };
    },
  }) as DynamoDBClient;
}

const isTransaction = (c: unknown): boolean => c instanceof TransactWriteItemsCommand;

/** A client whose first transaction (the letter with its tie) fails once: before DynamoDB, or after it answered. */
function failingTransaction(client: DynamoDBClient, after: boolean): DynamoDBClient {
  let failed = false;
  const send = client.send.bind(client) as (c: unknown) => Promise<unknown>;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown) => {
        if (failed || !isTransaction(command)) return send(command);
        failed = true;
        if (after) await send(command);
        throw new Error(after ? 'stopped after the transaction' : 'stopped before the transaction');
      };
    },
  }) as DynamoDBClient;
}

/**
 * 1e22 flushed, its hint dropped, 1e-16 buffered; the flush that refuses the row fails as `failing` makes it; the
 * 1e22 is taken back; the bucket is flushed again and every letter replayed. Returns g's ALL row and the re-run.
 */
async function run(
  failing: (
    f: Pick<FlusherOptions, 'client'>,
    sink: DynamoDbDeadLetterSink,
    dlq: string,
  ) => Partial<FlusherOptions>,
) {
  const { table, keyPrefix, clock, common } = await env.fixture('refused-tied', [money], START);
  const dlq = uniqueTableName('refused-tied-dl');
  await createDeadLetterTable(env.ddb, dlq);
  const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
  const insert = streamInserts({ from: 1000 });
  const applier = createBufferedApplier(common);
  await applier.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)], shardId: 's-1' });
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
  await expect(createFlusher({ ...common, ...failing(common, sink, dlq) }).flushClosed()).rejects.toThrow(
    'stopped',
  );
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
  const replay = await replayDeadLetters({
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
  return {
    row: `n=${item?.n?.N} total=${item?.total?.N}`,
    again: { written: again.rowsWritten, dead: again.rowsDeadLettered },
    replayed: replay.map((x) => x.outcome),
  };
}

describe("Redis flusher: a refused row is tied to its letter in the letter's transaction (DynamoDB sink)", () => {
  it('the flush stopped before the transaction: the re-run writes the row, no letter', async () => {
    const out = await run((_, __, dlq) => ({
      deadLetter: new DynamoDbDeadLetterSink(failingTransaction(env.ddb, false), dlq),
    }));
    expect(out).toEqual({
      row: 'n=1 total=0.0000000000000001',
      again: { written: 1, dead: 0 },
      replayed: [],
    });
  });

  it('the transaction committed, its answer lost: the re-run leaves the row to the letter and sends nothing', async () => {
    const out = await run((_, __, dlq) => ({
      deadLetter: new DynamoDbDeadLetterSink(failingTransaction(env.ddb, true), dlq),
    }));
    expect(out).toEqual({
      row: 'n=1 total=0.0000000000000001',
      again: { written: 0, dead: 1 },
      replayed: ['replayed'],
    });
  });

  it('the flush stopped after the letter: the re-run leaves the row to it', async () => {
    const out = await run((_, sink) => ({
      deadLetter: {
        commitsAlongside: true,
        send: async (l, o) => {
          await sink.send(l, o);
          throw new Error('stopped after the letter');
        },
      },
    }));
    expect(out).toEqual({
      row: 'n=1 total=0.0000000000000001',
      again: { written: 0, dead: 1 },
      replayed: ['replayed'],
    });
  });

  it("tied in the letter's transaction, the refused row records the hint of its wide stored value too: the next record that cannot be added is refused at apply time", async () => {
    const { keyPrefix, clock, common } = await env.fixture('refused-tied', [money], START);
    const insert = streamInserts({ from: 1000 });
    const applier = createBufferedApplier(common);
    await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    await createFlusher(common).flushClosed();
    const keys = bufferKeys(keyPrefix);
    // a write the hints never saw (a direct write during an outage): the group stays known, its hint gone
    await loseHints(env.redis, keyPrefix, 'money#sg');
    clock.advance(MINUTE);
    const tiny = (at: number) => [insert({ g: { S: 'g' }, amount: { N: '0.0000000000000001' } }, at)];
    expect((await applier.apply({ records: tiny(START), shardId: 's-1' })).poison).toEqual([]);
    clock.advance(2 * MINUTE);
    const dlq = uniqueTableName('refused-tied-dl');
    await createDeadLetterTable(env.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
    await createFlusher({ ...common, deadLetter: sink }).flushClosed();
    const letters = await listDeadLetters({ client: env.ddb, table: dlq });
    expect(letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
    expect(await env.redis.hget(keys.hints('money#sg'), 'ALL|total')).toBe('10000000000000000000000');
    const again = await applier.apply({ records: tiny(START + 3 * MINUTE), shardId: 's-1' });
    expect(again.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
  });
});

// a sink that cannot commit a write with its letters: the tie first, then the letter, sent again by a re-run
describe('Redis flusher: a refused row is tied to its letter (a sink without commitsAlongside)', () => {
  it('the flush stopped before the marker move: the re-run writes the row, no letter', async () => {
    const out = await run((c, sink) => ({
      client: failingMarkerMove(c.client),
      deadLetter: { send: (l) => sink.send(l) },
    }));
    expect(out).toEqual({
      row: 'n=1 total=0.0000000000000001',
      again: { written: 1, dead: 0 },
      replayed: [],
    });
  });

  it('the flush stopped after the marker move, before the letter: the re-run stores the letter, not the row', async () => {
    const out = await run(() => ({
      deadLetter: {
        send: async () => {
          throw new Error('stopped before the letter');
        },
      },
    }));
    expect(out).toEqual({
      row: 'n=1 total=0.0000000000000001',
      again: { written: 0, dead: 1 },
      replayed: ['replayed'],
    });
  });

  it('the refused row records the hint of its wide stored value: the next record that cannot be added is refused at apply time', async () => {
    const { keyPrefix, clock, common } = await env.fixture('refused-tied', [money], START);
    const insert = streamInserts({ from: 1000 });
    const applier = createBufferedApplier(common);
    await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    await createFlusher(common).flushClosed();
    const keys = bufferKeys(keyPrefix);
    // a write the hints never saw (a direct write during an outage): the group stays known, its hint gone
    await loseHints(env.redis, keyPrefix, 'money#sg');
    clock.advance(MINUTE);
    const tiny = (at: number) => [insert({ g: { S: 'g' }, amount: { N: '0.0000000000000001' } }, at)];
    expect((await applier.apply({ records: tiny(START), shardId: 's-1' })).poison).toEqual([]);
    clock.advance(2 * MINUTE);
    const letters: string[] = [];
    await createFlusher({
      ...common,
      deadLetter: { send: async (l) => void letters.push(...l.map((x) => x.code)) },
    }).flushClosed();
    expect(letters).toEqual(['ROW_REJECTED']);
    expect(await env.redis.hget(keys.hints('money#sg'), 'ALL|total')).toBe('10000000000000000000000');
    const again = await applier.apply({ records: tiny(START + 3 * MINUTE), shardId: 's-1' });
    expect(again.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
  });
});

// A flush that stores a letter, then fails before its bucket is marked done; the operator replays and drops the letter
// (or counts it by hand and drops it); the flush runs the bucket again. The re-run sends the same letter (same key):
// before tombstones it was stored afresh, and the next replay (or the operator's hand count) counted it twice. Now a
// dropped letter leaves a tombstone at its key and the re-run stores nothing. One case per class of letter the
// row's `_fr` tie does not cover (test/redis/h140-tied-letter-dropped.int.test.ts covers the tied one): cells of a row
// kind the rollup no longer has (UNKNOWN_ROLLUP), a row refused for what it is (NUMBER_OUT_OF_RANGE: never tied), and
// a row that cannot take the tie (an item at 400 KB: the letter goes untied).
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { MINUTE } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

/**
 * How DynamoDB treats the rows of group `gpoison` while a flush runs: `range` refuses their update for a delta that is
 * no DynamoDB number (as building the update does: never tied); `big` refuses their update and any transaction that
 * updates them (an item at 400 KB: the write and the tie both refused, the letter sent untied); `off` (replays) takes
 * them.
 */
let refuse: 'off' | 'range' | 'big' = 'off';
beforeAll(() => {
  env.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        Key?: { pk?: { S?: string } };
        TransactItems?: Array<{ Update?: { Key?: { pk?: { S?: string } } } }>;
      };
      const poisoned = (pk: string | undefined) => pk?.includes('gpoison') === true;
      const validation = () =>
        Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      if (refuse !== 'off' && context.commandName === 'UpdateItemCommand' && poisoned(input.Key?.pk?.S)) {
        if (refuse === 'range')
          throw new DynotallyError('NUMBER_OUT_OF_RANGE', 'a delta that is no DynamoDB number');
        throw validation();
      }
      if (
        refuse === 'big' &&
        context.commandName === 'TransactWriteItemsCommand' &&
        input.TransactItems?.some((t) => poisoned(t.Update?.Key?.pk?.S))
      )
        throw validation();
      return next(args);
    },
    { step: 'initialize', name: 'testRefuseRowForRerun' },
  );
});

/** The DynamoDB sink, whose first send stores its letters and then fails the flush (before the bucket is done). */
function failingOnce(sink: DeadLetterSink): DeadLetterSink {
  let failed = false;
  return {
    commitsAlongside: true,
    async send(letters, options) {
      await sink.send(letters, options);
      if (failed) return;
      failed = true;
      throw new Error('stopped after the letter');
    },
  };
}

const rowsOf = async (table: string, pk: string) =>
  (
    await env.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: pk } },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

const money = defineRollup({
  name: 'money',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

describe('a flusher letter dropped before the failed flush runs again', () => {
  // before tombstones: the re-run stored the letter afresh (listed again), and the operator counting it by hand
  // counted it twice
  it('UNKNOWN_ROLLUP: counted by hand and dropped, it is not stored again', async () => {
    const orders = (granularities: ['day', 'all'] | ['all']) =>
      defineRollup({
        name: 'orders',
        groupBy: 'g',
        time: { attribute: 't', format: 'epoch-millis' },
        granularities,
        measures: { n: count() },
      });
    const { table, clock, common } = await env.fixture('drop-unknown', [orders(['day', 'all'])], START);
    const dlq = uniqueTableName('drop-unknown-dl');
    await createDeadLetterTable(env.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
    const store = { client: env.ddb, table: dlq };
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'g' } }, START)],
      shardId: 's-1',
    });
    const redeployed = { ...common, rollups: [orders(['all'])] };
    clock.advance(20 * MINUTE);
    // the flush stores the day cell's letter, then fails: the bucket stays open
    await expect(
      createFlusher({ ...redeployed, deadLetter: failingOnce(sink) }).flushClosed(),
    ).rejects.toThrow('stopped');
    const stored = await listDeadLetters(store);
    expect(stored.map((l) => l.code)).toEqual(['UNKNOWN_ROLLUP']);
    // the operator adds the day's count where it belongs by hand, and drops the letter
    expect((await dropDeadLetters(store, [stored[0]?.id as string])).map((r) => r.outcome)).toEqual([
      'dropped',
    ]);
    const again = await createFlusher({ ...redeployed, deadLetter: sink }).flushClosed();
    expect({ buckets: again.buckets, written: again.rowsWritten, dead: again.rowsDeadLettered }).toEqual({
      buckets: 1,
      written: 1,
      dead: 1, // sent again, stored nothing
    });
    expect((await listDeadLetters(store)).map((l) => `${l.code} ${l.sequenceNumber}`)).toEqual([]);
    // the month row holds no count: the letter's tie created it with `_fb` and `_fr` only (review s42y: a flusher
    // that knows month rows and re-runs the bucket leaves it to the letter)
    expect((await rowsOf(table, 'orders#sg')).map((i) => `${i.sk?.S} n=${i.n?.N}`)).toEqual([
      'ALL n=1',
      'M2026-11 n=undefined',
    ]);
  });

  const replayedDropped = async (prefix: string, mode: 'range' | 'big') => {
    const { table, clock, common } = await env.fixture(prefix, [money], START);
    const dlq = uniqueTableName(`${prefix}-dl`);
    await createDeadLetterTable(env.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
    const store = { client: env.ddb, table: dlq };
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'gpoison' }, amount: { N: '5' } }, START)],
      shardId: 's-1',
    });
    clock.advance(2 * MINUTE);
    refuse = mode;
    try {
      await expect(
        createFlusher({ ...common, logger, deadLetter: failingOnce(sink) }).flushClosed(),
      ).rejects.toThrow('stopped');
    } finally {
      refuse = 'off';
    }
    // the cause fixed for a moment: the operator replays the letter, and drops it (replayed letters are cleaned up)
    const replay = { client: env.ddb, deadLetterTable: dlq, table, rollups: [money], all: true };
    const first = await replayDeadLetters(replay);
    expect(first.map((r) => r.outcome)).toEqual(['replayed']);
    expect((await dropDeadLetters(store, [first[0]?.id as string])).map((r) => r.outcome)).toEqual([
      'dropped',
    ]);
    // the flusher runs the bucket again, DynamoDB refusing the row as before
    refuse = mode;
    let again: Awaited<ReturnType<ReturnType<typeof createFlusher>['flushClosed']>>;
    try {
      again = await createFlusher({ ...common, logger, deadLetter: sink }).flushClosed();
    } finally {
      refuse = 'off';
    }
    const unreplayed = await listDeadLetters({ ...store, replayed: false });
    const second = await replayDeadLetters(replay);
    const [row] = await rowsOf(table, 'money#sgpoison');
    return {
      rerun: { buckets: again.buckets, dead: again.rowsDeadLettered },
      // the untied path warns (both runs) that the row could not be marked
      untiedWarnings: warnings.filter((w) => w.includes('could not be marked as dead-lettered')).length,
      unreplayed: unreplayed.length,
      secondReplay: second.map((r) => r.outcome),
      row: `n=${row?.n?.N} total=${row?.total?.N}`,
    };
  };

  // before tombstones: the re-run stored the letter afresh and the second replay made the row n=2 total=10
  it('a row refused for what it is (NUMBER_OUT_OF_RANGE, never tied): replayed and dropped, counted once', async () => {
    expect(await replayedDropped('drop-range', 'range')).toEqual({
      rerun: { buckets: 1, dead: 1 },
      untiedWarnings: 0, // not tied at all
      unreplayed: 0,
      secondReplay: [],
      row: 'n=1 total=5',
    });
  });

  it('a row that cannot take the tie (an item at 400 KB: the letter untied): replayed and dropped, counted once', async () => {
    expect(await replayedDropped('drop-big', 'big')).toEqual({
      rerun: { buckets: 1, dead: 1 },
      untiedWarnings: 2,
      unreplayed: 0,
      secondReplay: [],
      row: 'n=1 total=5',
    });
  });
});

// Dropping a dead letter leaves a tombstone at its key, kept until the letter's own ttl: the sink then never stores
// that letter again (a re-run of the Redis flush that stored it sends it again: test/redis/dropped-letter-rerun.int),
// alone or in a transaction with a write; listing, lookup, replay and a second drop do not see it; a release before
// tombstones reads it as a replayed letter with no body.
import { randomBytes } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { toDeadLetter } from '../../packages/dynotally/src/apply/index.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  letterKey,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { decodeLetter } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const AT = Date.UTC(2026, 10, 22, 12, 0, 0);

const flushLetter = (seq: string, blob?: string): DeadLetter => ({
  source: 'redis-flush:dynotally:aggregates',
  shardId: undefined,
  sequenceNumber: seq,
  eventId: undefined,
  code: 'UNKNOWN_ROLLUP',
  reason: 'cells of a row kind the rollup no longer has',
  record: undefined,
  at: AT,
  deltas: [{ pk: 'orders#sg', sk: 'M2026-11', adds: [['n_22', blob === undefined ? '1' : '2']] }],
  ...(blob === undefined ? {} : { pendingRows: [{ pk: blob, sk: 'x' }] }),
});

describe('a dropped dead letter', () => {
  it('leaves a tombstone that keeps the same letter from being stored again, and that nothing lists', async () => {
    const dlq = uniqueTableName('tomb-dl');
    await createDeadLetterTable(clients.ddb, dlq);
    const store = { client: clients.ddb, table: dlq };
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const raw = async (key: { pk: string; sk: string }) =>
      (
        await clients.ddb.send(
          new GetItemCommand({
            TableName: dlq,
            Key: { pk: { S: key.pk }, sk: { S: key.sk } },
            ConsistentRead: true,
          }),
        )
      ).Item;
    // a small letter, one in parts (incompressible, over 300 KB compressed), one a replay left half done
    const small = flushLetter('1795348800000#orders#sg#M2026-11');
    const large = flushLetter('1795348800000#orders#sh#M2026-11', randomBytes(330_000).toString('base64'));
    const half = flushLetter('1795348800000#orders#si#M2026-11');
    await sink.send([small, large, half]);
    const before = await raw(letterKey(small));
    const largeMain = await raw(letterKey(large));
    expect(Number(largeMain?.parts?.N)).toBeGreaterThan(1);
    const byKey = new Map((await listDeadLetters(store)).map((l) => [l.key.sk, l.id]));
    const [idSmall, idLarge, idHalf] = [small, large, half].map((l) => byKey.get(letterKey(l).sk) as string);
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: dlq,
        Key: { pk: { S: letterKey(half).pk }, sk: { S: letterKey(half).sk } },
        UpdateExpression: 'ADD replayedChunks :c',
        ExpressionAttributeValues: { ':c': { SS: ['0/1+0:0000000000000000'] } },
      }),
    );

    const dropped = await dropDeadLetters(store, [idSmall, idLarge, idHalf] as string[]);
    expect(dropped.map((d) => d.outcome)).toEqual(['dropped', 'dropped', 'half-replayed']);
    expect((await listDeadLetters(store)).map((l) => l.id)).toEqual([idHalf]);

    // the tombstone: the key, code, times and ttl kept; body, parts and reason gone; replayedAt for older releases
    const tomb = await raw(letterKey(small));
    expect(tomb?.droppedAt?.N).toBeDefined();
    expect(tomb?.ttl).toEqual(before?.ttl);
    expect(tomb?.code).toEqual(before?.code);
    expect(tomb?.body).toBeUndefined();
    expect(tomb?.reason?.S).toMatch(/^dropped at .*tombstone/);
    const largeTomb = await raw(letterKey(large));
    expect(largeTomb?.parts).toBeUndefined();
    const partSk = (i: number) => `${letterKey(large).sk}#part#${largeMain?.partsId?.S}#${i}`;
    for (let i = 0; i < Number(largeMain?.parts?.N); i++)
      expect(await raw({ pk: letterKey(large).pk, sk: partSk(i) })).toBeUndefined();
    // what a release before tombstones makes of it: a replayed letter with no body (listed only with --all, never
    // replayed)
    const old = decodeLetter(tomb ?? {}, []);
    expect({ replayed: old.replayedAt !== undefined, code: old.code, deltas: old.deltas }).toEqual({
      replayed: true,
      code: 'UNKNOWN_ROLLUP',
      deltas: undefined,
    });

    // sent again, alone and in a transaction with a write: nothing stored, the write committed
    await sink.send([small, large]);
    await sink.send([small], {
      alongside: { Put: { TableName: dlq, Item: { pk: { S: 'checkpoint' }, sk: { S: 'c' } } } },
    });
    expect(await raw({ pk: 'checkpoint', sk: 'c' })).toBeDefined();
    expect((await raw(letterKey(small)))?.droppedAt).toEqual(tomb?.droppedAt);
    expect((await raw(letterKey(large)))?.body).toBeUndefined();
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: dlq, Key: { pk: { S: 'checkpoint' }, sk: { S: 'c' } } }),
    );
    expect((await listDeadLetters(store)).map((l) => l.id)).toEqual([idHalf]);

    // nothing finds it: lookup, replay by id, a second drop
    await expect(getDeadLetters(store, [idSmall as string])).rejects.toMatchObject({
      code: 'DEAD_LETTER_NOT_FOUND',
    });
    await expect(
      replayDeadLetters({
        client: clients.ddb,
        deadLetterTable: dlq,
        table: 'unused',
        rollups: [],
        ids: [idSmall as string],
      }),
    ).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
    expect(await dropDeadLetters(store, [idSmall as string])).toEqual([
      { id: idSmall, outcome: 'not-found' },
    ]);
    // the half-replayed one with force
    expect(await dropDeadLetters(store, [idHalf as string], { force: true })).toEqual([
      { id: idHalf, outcome: 'dropped' },
    ]);
    expect(await listDeadLetters(store)).toEqual([]);
  });
});

// A letter of a record without a sequence number (only a malformed record lacks one) is keyed by the record's place in
// its batch, `index-<n>`. A place is no identity: a later batch of the same shard can hold another such record at
// the same place, which is another letter. Keyed by the place alone, that letter was turned away while the first was
// kept, and for the first one's 14 days once it was dropped (its tombstone). The key now adds the record's hash:
// the same record redelivered at the same place is still stored once and still turned away by its tombstone.
describe('letters of records without a sequence number (index-<n>)', () => {
  const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/src/stream/2026-11-22T12:00:00.000';
  const rollup = defineRollup({
    name: 'orders',
    groupBy: 'storeId',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['day'],
    measures: { n: count() },
  });
  /** The Applier's letter of a batch holding one record without a sequence number, at place 0. */
  const letterOf = (id: string): DeadLetter => {
    const records = [
      {
        eventID: id,
        eventName: 'INSERT',
        eventSourceARN: ARN,
        dynamodb: {
          Keys: { pk: { S: id } },
          NewImage: { pk: { S: id }, storeId: { S: 's' }, t: { N: '1' } },
        },
      },
    ] as never;
    const [p] = foldBatch([rollup.compiled], records, { shardId: 'shardId-1' }).poison;
    if (p === undefined) throw new Error('the record should be poison');
    return toDeadLetter(p, ARN, 'shardId-1', AT);
  };

  it('another record at the same place is stored beside a kept or dropped letter; the same one is not', async () => {
    const dlq = uniqueTableName('tomb-index');
    await createDeadLetterTable(clients.ddb, dlq);
    const store = { client: clients.ddb, table: dlq };
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const [x, y, z] = [letterOf('x'), letterOf('y'), letterOf('z')];
    expect([x, y, z].map((l) => [l.sequenceNumber, l.code])).toEqual([
      ['index-0', 'RECORD_MALFORMED'],
      ['index-0', 'RECORD_MALFORMED'],
      ['index-0', 'RECORD_MALFORMED'],
    ]);
    const listed = async () =>
      (await listDeadLetters(store)).map((l) => l.record?.dynamodb?.Keys?.pk?.S ?? '?').sort();
    // batch 1 dead-letters x; its redelivery sends x again; batch 2 has y at the same place
    await sink.send([x]);
    await sink.send([x]);
    await sink.send([y]);
    expect(await listed()).toEqual(['x', 'y']);
    // x dropped: x sent again is turned away by its tombstone; z at the same place is stored
    const idX = (await listDeadLetters(store)).find((l) => l.key.sk === letterKey(x).sk)?.id as string;
    expect(await dropDeadLetters(store, [idX])).toEqual([{ id: idX, outcome: 'dropped' }]);
    await sink.send([x]);
    await sink.send([z]);
    expect(await listed()).toEqual(['y', 'z']);
    // each still shows the sequence number the Applier gave it
    expect((await listDeadLetters(store)).map((l) => l.sequenceNumber)).toEqual(['index-0', 'index-0']);
  });
});

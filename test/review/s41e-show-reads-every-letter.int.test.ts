// Review s41e (dead letters: show / replay by id / drop, huge letter counts): getDeadLetters (`dynotally dead-letters
// show <id>`, `replay <id>…`) and dropDeadLetters (`drop <id>…`) found their letters through listDeadLetters, which
// reads and decompresses every letter of the table, each large letter's part items too (a consistent GetItem per
// part, up to 32 × 300 KB a letter), to return one. A table holding a few hundred letters of large records made
// `show` of one small letter read gigabytes and take minutes.
// Expected: the letters are found by their keys (a scan), and only the ones asked for are read whole: showing,
// replaying or dropping a small letter reads no part of another.
// Severity: low (time and read units; nothing lost or counted twice).
// Fixed: dead-letter-store.ts scans the main items once (scanLetterItems) and decodes, with their parts, only the
// letters asked for (getDeadLetters, dropDeadLetters).

import { randomBytes } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  letterId,
  listDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { idEntryKey } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';

function insert(id: string, seq: number, blob?: string): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, g: { S: 'a' }, ...(blob === undefined ? {} : { blob: { S: blob } }) },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}

/**
 * The real client, counting the GetItem requests it sends for any item but `own` (the named letter's main item, which
 * show and drop read once since s42l, and its id entry, read first since s43d: other letters' parts are what must not
 * be read).
 */
function countingGets(
  real: DynamoDBClient,
  own: { pk: string; sk: string },
): { client: DynamoDBClient; gets: () => number } {
  let gets = 0;
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'send')
        return (cmd: unknown, ...rest: unknown[]) => {
          const key = cmd instanceof GetItemCommand ? cmd.input.Key : undefined;
          const entry = idEntryKey(letterId(own));
          const is = (pk?: string, sk?: string) => key?.pk?.S === pk && key?.sk?.S === sk;
          if (key !== undefined && !is(own.pk, own.sk) && !is(entry.pk?.S, entry.sk?.S)) gets += 1;
          return (target.send as (...a: unknown[]) => unknown).call(target, cmd, ...rest);
        };
      return Reflect.get(target, prop, receiver);
    },
  });
  return { client, gets: () => gets };
}

describe('showing, replaying or dropping one small letter beside large ones', () => {
  it("reads none of the other letters' parts", async () => {
    const dlq = uniqueTableName('s41e-show');
    await createDeadLetterTable(clients.ddb, dlq);
    const records = [
      insert('big1', 101, randomBytes(525_000).toString('base64')),
      insert('big2', 102, randomBytes(525_000).toString('base64')),
      insert('small', 103),
    ];
    await new DynamoDbDeadLetterSink(clients.ddb, dlq).send(
      records.map((record) => ({
        source: STREAM,
        shardId: 's1',
        sequenceNumber: record.dynamodb?.SequenceNumber as string,
        eventId: record.eventID,
        code: 'RETRIES_EXHAUSTED',
        reason: 'probe',
        record,
        at: Date.now(),
      })),
    );
    const small = (await listDeadLetters({ client: clients.ddb, table: dlq })).find(
      (l) => l.sequenceNumber === '103',
    );
    const counting = countingGets(clients.ddb, small?.key as { pk: string; sk: string });
    const store = { client: counting.client, table: dlq };
    const [shown] = await getDeadLetters(store, [small?.id as string]);
    expect(shown?.record).toEqual(records[2]);
    expect(counting.gets()).toBe(0);
    expect(await dropDeadLetters(store, [small?.id as string])).toEqual([
      { id: small?.id, outcome: 'dropped' },
    ]);
    expect(counting.gets()).toBe(0);
    // the large ones are still read whole
    const rest = await listDeadLetters({ client: clients.ddb, table: dlq });
    expect(rest.map((l) => l.record?.dynamodb?.Keys?.id?.S).sort()).toEqual(['big1', 'big2']);
  });
});

// Review s41e (dead letters: list / show / replay / drop): a letter whose body is split into part items (a record
// over 300 KB compressed, DynamoDbDeadLetterSink) is read back by joining its parts. Each item carries the letter's
// `ttl`, and DynamoDB's TTL deletes expired items one by one, within days of the expiry and in no order: a part can
// be gone while its main item is still listed (a drop racing a list does the same: it deletes the parts after
// turning the main item into a tombstone). readParts skipped the missing part, decodeLetter gunzipped what was left
// and threw (`Error: unexpected end of file`), and every reader of the table lists every letter first:
// listDeadLetters, getDeadLetters (`dead-letters show` of any id), replayDeadLetters (`replay --all`, and by id) and
// dropDeadLetters (`drop` of any id, the broken one too) all failed, for every letter of the table, until TTL took the
// main item as well.
// Expected: a letter whose body cannot be read is listed as such (`unreadable`: the reason), the other letters are
// listed, shown, replayed and dropped as ever; its replay is refused (`still-poison`, DEAD_LETTER_NOT_REPLAYABLE,
// nothing written) and it can be dropped.
// Severity: medium (the tooling of the whole dead-letter table blocked for days; nothing counted twice or lost).
// Fixed: letter-item.ts decodeLetter reads a body that does not gunzip / parse as a letter without body
// (`unreadable` set, record, pendingRows and deltas absent); replay-plan.ts refuses it before anything is written;
// the CLI's show / --json print it.

import { randomBytes } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const n = defineRollup({ name: 'n', groupBy: 'g', granularities: ['all'], measures: { n: count() } });

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

describe('a dead letter one of whose part items is gone (TTL, a racing drop)', () => {
  it('is listed as unreadable, refused by replay, dropped; the other letters are unaffected', async () => {
    const table = uniqueTableName('s41e-part');
    const dlq = uniqueTableName('s41e-part-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlq);
    // ~700 KB of random base64: ~530 KB compressed, two part items
    const big = insert('big', 101, randomBytes(525_000).toString('base64'));
    const small = insert('small', 102);
    await new DynamoDbDeadLetterSink(clients.ddb, dlq).send(
      [big, small].map((record) => ({
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
    const items = await scanTable(clients.ddb, dlq);
    const parts = items.filter((i) => i.partOf !== undefined);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    // TTL deleted the second part first
    const gone = parts.find((p) => p.sk?.S?.endsWith('#1')) ?? parts[1];
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: dlq, Key: { pk: gone?.pk as never, sk: gone?.sk as never } }),
    );

    const store = { client: clients.ddb, table: dlq };
    const listed = await listDeadLetters(store);
    expect(listed.map((l) => l.sequenceNumber).sort()).toEqual(['101', '102']);
    const broken = listed.find((l) => l.sequenceNumber === '101');
    const fine = listed.find((l) => l.sequenceNumber === '102');
    expect(broken?.unreadable).toMatch(/part/);
    expect(broken?.record).toBeUndefined();
    expect(broken?.pendingRows).toBeUndefined();
    expect(fine?.unreadable).toBeUndefined();
    expect(fine?.record).toEqual(small);
    const [shown] = await getDeadLetters(store, [fine?.id as string]);
    expect(shown?.record).toEqual(small);

    const results = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [n],
      all: true,
    });
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.get(broken?.id as string)?.outcome).toBe('still-poison');
    expect(byId.get(broken?.id as string)?.code).toBe('DEAD_LETTER_NOT_REPLAYABLE');
    expect(byId.get(broken?.id as string)?.reason).toMatch(
      /cannot be read: 1 of its \d+ part items are gone/,
    );
    expect(byId.get(fine?.id as string)?.outcome).toBe('replayed');
    // the small record counted once, the broken one not at all
    const rows = (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.startsWith('n#'));
    expect(rows.map((r) => r.n?.N)).toEqual(['1']);

    const dropped = await dropDeadLetters(store, [broken?.id as string]);
    expect(dropped).toEqual([{ id: broken?.id, outcome: 'dropped' }]);
    expect((await listDeadLetters(store)).map((l) => l.sequenceNumber)).toEqual(['102']);
  });
});

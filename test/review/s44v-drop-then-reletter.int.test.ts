// Review s44v, guard (dead-letter id entries, dynamodb-sink.ts `putEntry`, review s44d; `scan: false`): a letter
// dropped (its tombstone holds the key until the letter's own ttl) and then sent again stays dropped whichever way it
// is sent, its id is not found with or without the scan, and once the tombstone is gone (DynamoDB's TTL) a send
// stores it afresh, found by its id entry alone (`scan: false`), the entry never earlier than the letter.
// Break-check: the id entry put unconditionally with the re-send's ttl and the letter's `attribute_not_exists(pk)`
// dropped in store() (dynamodb-sink.ts): the dropped letter comes back (fails).
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  letterId,
  letterKey,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { idEntryKey } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { itemTtl, probeLetter } from '../dead-letter/probe-letter.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
const DAY = 86_400;
let dlq: string;

const ttlOf = (key: Record<string, { S: string }>) => itemTtl(clients.ddb, dlq, key);
const alongside = () => ({
  ConditionCheck: {
    TableName: dlq,
    Key: { pk: { S: 'none' }, sk: { S: 'none' } },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

beforeAll(async () => {
  dlq = uniqueTableName('s44v-reletter');
  await createDeadLetterTable(clients.ddb, dlq);
});
afterAll(() => clients.destroy());

describe('review s44v: a dropped letter sent again', () => {
  it('stays dropped until its tombstone is gone, then is stored afresh and found by its entry', async () => {
    const store = { client: clients.ddb, table: dlq };
    const now = Date.now();
    const l = probeLetter('4001', now);
    const id = letterId(letterKey(l));
    const k = letterKey(l);
    const mainKey = { pk: { S: k.pk }, sk: { S: k.sk } };
    const entryKey = idEntryKey(id) as Record<string, { S: string }>;
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq, 14);
    await sink.send([l]);
    expect(await dropDeadLetters(store, [id], { scan: false })).toEqual([{ id, outcome: 'dropped' }]);
    await sink.send([{ ...l, at: now + 60_000 }]); // one by one: the entry moves later, the tombstone stands
    await sink.send([{ ...l, at: now + 120_000 }], { alongside: alongside() }); // in a transaction: refused whole
    const tomb = await ttlOf(mainKey);
    expect(tomb).toBe(Math.floor(now / 1000) + 14 * DAY);
    expect(await ttlOf(entryKey)).toBeGreaterThanOrEqual(tomb as number);
    for (const scan of [false, true])
      await expect(getDeadLetters(store, [id], { scan })).rejects.toMatchObject({
        code: 'DEAD_LETTER_NOT_FOUND',
      });
    // DynamoDB's TTL deletes the tombstone: a later send stores the letter afresh
    await clients.ddb.send(new DeleteItemCommand({ TableName: dlq, Key: mainKey }));
    const later = now + 15 * DAY * 1000;
    await sink.send([{ ...l, at: later }]);
    const [found] = await getDeadLetters(store, [id], { scan: false });
    expect(found?.sequenceNumber).toBe('4001');
    const t = await ttlOf(mainKey);
    expect(t).toBe(Math.floor(later / 1000) + 14 * DAY);
    expect(await ttlOf(entryKey)).toBeGreaterThanOrEqual(t as number);
  });
});

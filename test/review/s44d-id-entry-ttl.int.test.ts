// Review s44d (dead-letter id entries, session 44): the id entry's `ttl` against its letter's.
// What: the sink put a letter's id entry unconditionally, first, on every send, with the ttl of the letter being
// sent (its `at` plus the sink's `retentionDays`). The letter itself is written with `attribute_not_exists(pk)`, so
// the first letter stands — its ttl too. A re-send with an earlier `at` (or by a sink with a smaller
// `retentionDays`) rewrote the entry with an earlier ttl than the letter's: DynamoDB could delete the entry first,
// and the id then fell back to the scan of the whole table (or, with the entry gone and no scan hit, looked missing).
// Observed (main at a5b621e5): the entry's ttl moved to the re-send's (3 days), the letter kept its 14 days.
// Expected: the entry's ttl never moves earlier than its letter's: it only ever moves later (a letter stored afresh
// after the old one expired), and the letter's own ttl is never moved by a re-send (its key stays taken as long as
// the first send said; a dropped letter's tombstone the same).
// Fixed (session 44): dynamodb-sink.ts `store()` puts the entry with `attribute_not_exists(pk) OR #ttl < :ttl`, a
// refusal meaning a later entry already stands; in a transaction the entry goes with the letter's conditional put
// (refused together when the letter is there, then stored one by one as above).
// Break-check: the condition removed from the entry's put in store(): the first test fails (entry ttl 3 days out).
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
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
const letterTtl = (l: DeadLetter) => {
  const k = letterKey(l);
  return ttlOf({ pk: { S: k.pk }, sk: { S: k.sk } });
};
const entryTtl = (l: DeadLetter) =>
  ttlOf(idEntryKey(letterId(letterKey(l))) as Record<string, { S: string }>);
const alongside = () => ({
  ConditionCheck: {
    TableName: dlq,
    Key: { pk: { S: 'none' }, sk: { S: 'none' } },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

beforeAll(async () => {
  dlq = uniqueTableName('s44d-entry-ttl');
  await createDeadLetterTable(clients.ddb, dlq);
});
afterAll(() => clients.destroy());

describe('review s44d: an id entry never expires before its letter', () => {
  it('a re-send by a sink keeping letters 3 days leaves the 14-day letter and its entry as they were', async () => {
    const now = Date.now();
    const first = probeLetter('1001', now);
    await new DynamoDbDeadLetterSink(clients.ddb, dlq, 14).send([first]);
    const t = Math.floor(now / 1000) + 14 * DAY;
    expect(await letterTtl(first)).toBe(t);
    expect(await entryTtl(first)).toBe(t);

    const short = new DynamoDbDeadLetterSink(clients.ddb, dlq, 3);
    await short.send([{ ...first, at: now - 60_000 }]); // one by one
    await short.send([{ ...first, at: now - 120_000 }], { alongside: alongside() }); // in a transaction
    expect(await letterTtl(first)).toBe(t); // the first letter stands, its ttl with it
    expect(await entryTtl(first)).toBe(t);
    expect(
      (await getDeadLetters({ client: clients.ddb, table: dlq }, [letterId(letterKey(first))]))[0]
        ?.sequenceNumber,
    ).toBe('1001');
  });

  it('an entry outliving its expired letter moves later with the letter stored afresh', async () => {
    const now = Date.now();
    const old = probeLetter('2001', now - 20 * DAY * 1000);
    await new DynamoDbDeadLetterSink(clients.ddb, dlq, 14).send([old]);
    // DynamoDB's TTL deleted the letter, not yet its entry (it deletes items one by one, in no order)
    const k = letterKey(old);
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: dlq, Key: { pk: { S: k.pk }, sk: { S: k.sk } } }),
    );
    const again = { ...old, at: now };
    await new DynamoDbDeadLetterSink(clients.ddb, dlq, 14).send([again]);
    const t = Math.floor(now / 1000) + 14 * DAY;
    expect(await letterTtl(again)).toBe(t);
    expect(await entryTtl(again)).toBe(t);
  });

  it('a letter stored afresh in a transaction beside an entry with a later ttl keeps the later one', async () => {
    const now = Date.now();
    const l = probeLetter('3001', now);
    await new DynamoDbDeadLetterSink(clients.ddb, dlq, 30).send([l]);
    const k = letterKey(l);
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: dlq, Key: { pk: { S: k.pk }, sk: { S: k.sk } } }),
    );
    await new DynamoDbDeadLetterSink(clients.ddb, dlq, 14).send([l], { alongside: alongside() });
    const t = Math.floor(now / 1000);
    expect(await letterTtl(l)).toBe(t + 14 * DAY);
    expect(await entryTtl(l)).toBeGreaterThanOrEqual(t + 14 * DAY);
  });
});

// Review s43v (dead-letter id entries, session 43): attacks on the entry the sink writes beside each letter.
// What: the sink's one-by-one path puts a letter's id entry first, then (parts and) the letter: a crash between the
// two leaves an entry pointing to nothing. Then: is the id NOT_FOUND cleanly for show and drop (no decode of the entry
// as a letter, no scan), does list leave the entry out (a release that did not write entries reads with the same
// `attribute_not_exists(partOf)` filter), and does the redelivery that stores the letter make it found? And a drop
// then a re-letter of the same id: the tombstone holds the key, the entry (rewritten) points at it, the id stays gone.
// Observed (main at 2262194a): as expected, all of it.
// Expected: as observed.
// Severity: none (a guard: found sound).
// Break-checks: `attribute_not_exists(partOf)` removed from letter-filter.ts scanFilter: list returns the two entries
// as letters (sequence '~id') and the first test fails; rereadDeadLetter without its tombstone check: the dropped id
// is found again and the second test fails.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  letterKey,
  listDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { letterItems } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { idOf, probeLetter } from '../dead-letter/probe-letter.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
let dlq: string;

const store = () => ({ client: clients.ddb, table: dlq });
const notFound = async (id: string): Promise<unknown> =>
  getDeadLetters(store(), [id]).then(
    () => 'found',
    (e) => (isDynotallyError(e, 'DEAD_LETTER_NOT_FOUND') ? 'not found' : e),
  );
const listed = async () => (await listDeadLetters(store())).map((l) => l.sequenceNumber);

beforeAll(async () => {
  dlq = uniqueTableName('s43v-entries');
  await createDeadLetterTable(clients.ddb, dlq);
});
afterAll(() => clients.destroy());

describe('review s43v: dead-letter id entries', () => {
  it('an entry whose letter was never stored (a crash between the two) is no letter, and the redelivery stores it', async () => {
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const [a, crashed] = [probeLetter('1001'), probeLetter('1002')];
    await sink.send([a]);
    // what store() wrote before the crash: the entry alone
    const { entry } = letterItems(crashed, letterKey(crashed), 14);
    await clients.ddb.send(new PutItemCommand({ TableName: dlq, Item: entry }));

    expect(await notFound(idOf(crashed))).toBe('not found');
    expect(await dropDeadLetters(store(), [idOf(crashed)])).toEqual([
      { id: idOf(crashed), outcome: 'not-found' },
    ]);
    expect(await listed()).toEqual(['1001']);

    await sink.send([crashed]); // the batch redelivered
    expect((await getDeadLetters(store(), [idOf(crashed)]))[0]?.sequenceNumber).toBe('1002');
    expect(await listed()).toEqual(['1001', '1002']);
  });

  it('a dropped letter sent again stays dropped: its tombstone holds the key, its entry points at it', async () => {
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const b = probeLetter('2001');
    await sink.send([b]);
    expect(await dropDeadLetters(store(), [idOf(b)])).toEqual([{ id: idOf(b), outcome: 'dropped' }]);
    await sink.send([{ ...b, at: Date.now() + 1_000 }]); // one by one: the entry first, then the refused put
    await sink.send([b], {
      // in a transaction: the letter's put is refused whole, then stored one by one, then the write alone
      alongside: {
        ConditionCheck: {
          TableName: dlq,
          Key: { pk: { S: 'none' }, sk: { S: 'none' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    });
    expect(await notFound(idOf(b))).toBe('not found');
    expect(await listed()).not.toContain('2001');
    expect(await dropDeadLetters(store(), [idOf(b)])).toEqual([{ id: idOf(b), outcome: 'not-found' }]);
  });
});

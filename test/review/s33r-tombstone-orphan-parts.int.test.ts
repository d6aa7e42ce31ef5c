// Review s33r (helper-156): a letter sent again at a dropped letter's tombstone re-creates its part items.
// FIXED (helper-159): store() reads the key of a letter with parts first and writes nothing when it is held.
//
// DEFECT: DynamoDbDeadLetterSink.store (packages/dynotally/src/dead-letter/dynamodb-sink.ts:133-135) puts a letter's
// part items unconditionally, before the main item's attribute_not_exists(pk) put. Before 6896815 a dropped letter's
// key was free, so a re-sent letter was stored whole; now the tombstone turns the main item away but its parts
// (up to 32 items of ~300 KB each, the same keys drop deleted: the part hash is of the same compressed body) are
// written again, orphaned: no main item names them, so no drop deletes them and they live until their ttl (14 days,
// or --key-ttl + a day). Each re-run of a failed flush that sent the letter stores them once more.
// Suggested fix: in store(), put the main item first (conditionally) and its parts only when it was stored (or
// GetItem the key first and skip a tombstone's); in inTransaction the cancelled transaction already stores nothing,
// and the one-by-one fallback goes through store().
import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  letterKey,
  listDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('s33r: a large letter sent again at its tombstone', () => {
  it('stores no part items beside the tombstone', async () => {
    const dlq = uniqueTableName('s33r-tomb-parts');
    await createDeadLetterTable(clients.ddb, dlq);
    const store = { client: clients.ddb, table: dlq };
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    // an UNKNOWN_ROLLUP flush letter whose body goes to parts (incompressible, over 300 KB compressed)
    const large: DeadLetter = {
      source: 'redis-flush:dynotally:aggregates',
      shardId: undefined,
      sequenceNumber: '1795348800000#orders#sh#M2026-11',
      eventId: undefined,
      code: 'UNKNOWN_ROLLUP',
      reason: 'cells of a row kind the rollup no longer has',
      record: undefined,
      at: Date.UTC(2026, 10, 22, 12),
      deltas: [{ pk: 'orders#sh', sk: 'M2026-11', adds: [['n_22', '2']] }],
      pendingRows: [{ pk: randomBytes(330_000).toString('base64'), sk: 'x' }],
    };
    await sink.send([large]);
    const [letter] = await listDeadLetters(store);
    expect(await dropDeadLetters(store, [letter?.id as string])).toEqual([
      { id: letter?.id, outcome: 'dropped' },
    ]);
    const items = async () =>
      (
        await clients.ddb.send(
          new QueryCommand({
            TableName: dlq,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: letterKey(large).pk } },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    expect((await items()).length).toBe(1); // the tombstone alone

    // the re-run of the flush that stored it sends it again: the tombstone turns it away...
    await sink.send([large]);
    const after = await items();
    expect(after.find((i) => i.sk?.S === letterKey(large).sk)?.droppedAt).toBeDefined();
    // ...and nothing else should be stored (fails: its part items are back, orphaned)
    expect(after.map((i) => i.sk?.S)).toEqual([letterKey(large).sk]);
  });
});

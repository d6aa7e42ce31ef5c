// Review s25a (PartiQL write path, batched extrema): a min / max / last write the store refuses for the row's size
// blocks the shard for good.
// Scenario: a row a few bytes below DynamoDB's 400 KB item limit (the premise of test/apply/row-full.int.test.ts: in
// production a hot row holding many shards' states), a rollup with `count` and `max(v)`. A batch of the shard that
// already wrote the row brings a record with a larger maximum of more digits. The row write (count + 1, the shard's
// state moved) fits; the extremum write, written after the row writes, makes the row bigger (a 20-digit number
// instead of a 1-digit one) and is refused with ValidationException ("Item size … exceeded"). write-extrema.ts
// throws anything but a failed condition, so the batch fails (APPLY_FAILED); its redelivery finds the row applied,
// sends the same extremum, is refused again: the shard never gets past that batch. Both write paths
// (writeExtremaBatched falls back to writeExtrema's UpdateItem for any statement error).
// Observed: every delivery of the batch rejects with the item-size ValidationException.
// Expected (plain `it`): the batch resolves and the shard goes on (the count applied once; the refused extremum
// reported, dropped or dead-lettered rather than retried forever), as row writes refused for size already are.
// Severity: blocked shard (the row's size premise is rare: see row-full.int.test.ts).
// Fixed in session 25: an extremum refused for the row's size is left out and reported (`report.extremaRefused`, an
// ITEM_TOO_LARGE error logged by the handler); the batch goes on. Break-check: rethrowing the refusal in
// write-extrema.ts fails both cases (three failed deliveries).
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/item-size.ts';
import { count, defineRollup, max } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const stores = defineRollup({
  name: 'stores',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), peak: max('v') },
});
const ITEM_LIMIT = 400 * 1024;

describe.each<WriteApi>(['partiql', 'update-item'])(
  's25a: an extremum write refused for the row size (%s)',
  (api) => {
    it('does not block the shard', async () => {
      const table = uniqueTableName(`s25a-ext-${api}`);
      await createAggregateTable(clients.ddb, table);
      const applier = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [stores],
        write: { api },
      });
      const next = insertRecords();
      await applier.apply({ records: [next('a', { g: { S: 'hot' }, v: { N: '1' } })], shardId: 'shard-1' });
      const row = (await scanTable(clients.ddb, table)).find((r) => r.pk?.S === 'stores#shot');
      const Key = { pk: row?.pk as { S: string }, sk: row?.sk as { S: string } };
      const size = itemSizeBytes(row as never);
      await clients.ddb.send(
        new UpdateItemCommand({
          TableName: table,
          Key,
          UpdateExpression: 'SET filler = :f',
          ExpressionAttributeValues: { ':f': { S: 'x'.repeat(ITEM_LIMIT - size - 'filler'.length - 6) } },
        }),
      );
      const batch = [next('b', { g: { S: 'hot' }, v: { N: '12345678901234567890' } })];
      let failures = 0;
      let refused = 0;
      for (let delivery = 0; delivery < 3; delivery++) {
        try {
          refused = (await applier.apply({ records: batch, shardId: 'shard-1' })).report.extremaRefused;
          break;
        } catch (e) {
          failures++;
          expect(String((e as Error).message) + String((e as { cause?: Error }).cause?.message)).toMatch(
            /size/i,
          );
        }
      }
      const after = await clients.ddb.send(
        new GetItemCommand({ TableName: table, Key, ConsistentRead: true }),
      );
      expect(after.Item?.n).toEqual({ N: '2' }); // the count was applied, exactly once
      expect(failures).toBe(0); // before the fix: all three deliveries were refused
      expect(refused).toBe(1); // the max the full row could not take, reported
      expect(after.Item?.peak).toEqual({ N: '1' });
    });
  },
);

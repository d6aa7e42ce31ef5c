// Review of DynamoDB limits (TransactWriteItems ≤ 100 items). The per-shard transaction path for rows past the
// state budget (write-transactional-rows.ts) cuts a batch into chunks of at most 99 rows (MAX_TRANSACTIONAL_ROWS)
// and then adds one watermark item per rollup with rows in the chunk. With two rollups (or a rollup and its
// version under backfill, or any applier of several rollups) a chunk of 99 rows carries 101 items (102 with three): DynamoDB
// refuses the transaction (ValidationException: "Member must have length less than or equal to 100"), which is
// not a row refusal, so the batch throws, and every redelivery builds the same chunk: the shard is blocked.
// Fixed: a chunk now counts its rollups' watermark items within the 100 (cutChunk).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { allTimeRollup, counterCells } from '../apply/budget-support.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** The most items any TransactWriteItems carried. */
const sent = { items: 0 };
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand') {
      const n = (args.input as { TransactItems?: unknown[] }).TransactItems?.length ?? 0;
      sent.items = Math.max(sent.items, n);
    }
    return next(args);
  },
  { step: 'initialize', name: 'txItemsSent' },
);

const kinds = allTimeRollup('kinds', 'g', false);
const amounts = allTimeRollup('amounts', 'g', true);
const totals = allTimeRollup('totals', 'all', false); // one hot row: the first record adds 3 rows, later ones 2
const NOW = 1_763_800_060_000;
const GROUPS = 60; // 60 groups × 2 rollups + 1 hot row = 121 transactional rows in one batch

function batch(insert: ReturnType<typeof insertRecords>, round: number): DynamoDBRecord[] {
  return Array.from({ length: GROUPS }, (_, g) =>
    insert(`r${round}-${g}`, { g: { S: `g${g}` }, all: { S: 'all' }, amount: { N: '1' } }),
  );
}

describe('transactional rows of several rollups', () => {
  it('a chunk of rows plus one watermark item per rollup stays within 100 items', async () => {
    const table = uniqueTableName('review-tx-items');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [kinds, amounts, totals],
      retry: { maxAttempts: 1 },
      pruneSampleEvery: 1,
      now: () => NOW,
      stateBudgetBytes: 0, // every row written by a shard is past the budget: its next write is transactional
    });
    const insert = insertRecords();
    // 1st batch: per-row writes; the rows are seen past the budget and marked
    await applier.apply({ records: batch(insert, 0), shardId: 'shard-0' });
    // 2nd batch: the 121 rows go through the transaction path; a chunk takes 99 of them (the hot row and 49 records'
    // two), and the 3 rollups' watermark items make 102 items: ValidationException "Member must have length less
    // than or equal to 100", thrown on this delivery and on every redelivery of the batch (same chunk)
    const second = batch(insert, 1);
    for (let delivery = 0; delivery < 2; delivery++) {
      sent.items = 0;
      await applier.apply({ records: second, shardId: 'shard-0' });
    }
    expect(sent.items).toBeLessThanOrEqual(100);
    const cells = await counterCells(clients.ddb, table);
    expect(cells['kinds#sg0|n']).toBe('2');
    expect(cells['totals#sall|n']).toBe(String(2 * GROUPS));
    for (let g = 0; g < GROUPS; g++) {
      expect(cells[`kinds#sg${g}|n`]).toBe('2');
      expect(cells[`amounts#sg${g}|n`]).toBe('2');
    }
  });
});

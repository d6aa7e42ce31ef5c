// Review of DynamoDB limits (item ≤ 400 KB) in the backfill's progress item. Before it claims a chunk, runBackfill
// journals the chunk's keys in the segment's progress item (claim table, `~bf#…`): one map a scanned item, all of
// a chunk (chunkItems, default 500, not bounded) in one UpdateItem. Keys average ~820 bytes (a table keyed by URL
// or S3 object key; DynamoDB allows 2,048 + 1,024 bytes) at the default, or 82 bytes at chunkItems: 5000, make the
// item pass 400 KB: the write is refused (ValidationException), and a new run scans the same chunk from the same
// cursor and is refused again: the backfill can never finish (and its version never serve).
// Fixed: a chunk whose keys pass JOURNAL_KEY_BYTES (300 KB) is cut there (backfill/journal-cut.ts) and ends at its
// last journaled key, the next chunk scanning on from it; chunkItems is refused (CONFIG_INVALID) outside 1–10⁶.
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { allTimeCounts } from '../support/all-time-counts.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('the journal of a chunk of items with long keys', () => {
  // failed before the fix: ValidationException (Item size has exceeded the maximum allowed size) from the
  // journal's UpdateItem, on every run. The first run here is stopped after its first (cut) chunk, so the second
  // resumes from the chunk's end: every item is counted once over both
  it('runBackfill completes over 500 items keyed by 900-byte ids, stopped and resumed', async () => {
    const client = clients.ddb;
    const source = uniqueTableName('review-bf-src');
    const table = uniqueTableName('review-bf-agg');
    const claimTable = uniqueTableName('review-bf-claims');
    await Promise.all([
      createSourceTable(client, source, { id: 'S' }),
      createAggregateTable(client, table),
      createClaimTable(client, claimTable),
    ]);
    const rollup = defineRollup({
      name: 'store',
      groupBy: 'storeId',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { orders: count() },
    });
    const ITEMS = 500;
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `https://example.com/${String(i).padStart(4, '0')}/${'p'.repeat(880)}` },
      storeId: { S: `s-${i % 7}` },
      t: { N: String(Date.UTC(2026, 10, 1) + i) },
    }));
    for (let i = 0; i < ITEMS; i += 25)
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [source]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    await registerVersions(client, table, [rollup.compiled], { firstVersion: 'building' });
    const stop = new AbortController();
    let firstFolded = 0;
    const run = (signal?: AbortSignal) =>
      runBackfill({
        client,
        source,
        table,
        claimTable,
        rollup,
        segments: 1,
        settleMs: 0,
        ...(signal
          ? {
              signal,
              onProgress: (p: { folded: number }) => {
                firstFolded = p.folded;
                stop.abort();
              },
            }
          : {}),
      });
    await expect(run(stop.signal)).rejects.toMatchObject({ code: 'BACKFILL_REFUSED' });
    const report = await run();
    expect(report.complete).toBe(true);
    // the first run's one chunk was cut short of the page (about 320 of 500 keys fit 300 KB), and the second
    // folded exactly the rest
    expect(firstFolded).toBeGreaterThan(0);
    expect(firstFolded).toBeLessThan(ITEMS);
    expect(report.progress.folded).toBe(ITEMS - firstFolded);
    const expected = new Map<string, number>();
    for (const it of items)
      expected.set(it.storeId?.S as string, (expected.get(it.storeId?.S as string) ?? 0) + 1);
    expect(await allTimeCounts(client, table, 'store', 'orders')).toEqual(expected);
  });

  it('refuses chunkItems that is not a whole number from 1 to 1,000,000', async () => {
    for (const chunkItems of [0, 2.5, 1_000_001])
      await expect(
        runBackfill({
          client: clients.ddb,
          source: 'unused',
          table: 'unused',
          claimTable: 'unused',
          rollup: defineRollup({
            name: 'store',
            groupBy: 'storeId',
            time: { attribute: 't', format: 'epoch-millis' },
            granularities: ['all'],
            measures: { orders: count() },
          }),
          chunkItems,
        }),
      ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

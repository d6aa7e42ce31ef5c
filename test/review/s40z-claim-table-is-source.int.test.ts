// Review s40z: the check review s40b added of a backfill's claim table (`requireTable`: it exists, keyed by `pk`
// alone) before the version is bound to it accepts the source table itself when that table is keyed `pk` (S), as
// single-table designs are: `--claim-table orders` for `--source-table orders`, a flag mixed up. The version was then
// bound to the source table for every process after, and the backfill wrote its claims, journals and progress items
// into the production table the stream side reads: each one a stream record of a foreign item.
// Observed (main): runBackfill({ source: T, claimTable: T }) ran to its end, the source table holding the backfill's
// claims (pk `store~<build id>#[["pk","S","order#0"]]`) and progress item (`~bf#store~<build id>#0/1`) beside its
// orders, the version bound to it.
// Expected: CONFIG_INVALID before the binding (the claim table is the source table), nothing written to the source.
// Fixed: runBackfill compares the claim table's ARN (from requireTable's DescribeTable) with the source's before it
// binds the version (backfill/run-backfill.ts). Not covered: a stream side given its source as its claim table (it
// does not describe its claim table); a backfill then given either table is refused (this check, or the binding).
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { createAggregateTable, createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { readControl, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const items: Record<string, AttributeValue>[] = Array.from({ length: 6 }, (_, i) => ({
  pk: { S: `order#${i}` },
  storeId: { S: 's-0' },
  t: { N: String(T0 + i) },
}));

describe('a backfill given its source table as its claim table', () => {
  it('is refused before the version is bound to it, nothing written to the source', async () => {
    const source = uniqueTableName('s40z-pk-src');
    const table = uniqueTableName('s40z-pk-agg');
    await Promise.all([
      createSourceTable(clients.ddb, source, { pk: 'S' }),
      createAggregateTable(clients.ddb, table),
    ]);
    await clients.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [source]: items.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    await registerVersions(clients.ddb, table, [storeCountRollup.compiled], { firstVersion: 'building' });
    const run = runBackfill({
      client: clients.ddb,
      source,
      table,
      claimTable: source,
      rollup: storeCountRollup,
      segments: 1,
      settleMs: 0,
    });
    expect(await codeOf(run)).toBe('CONFIG_INVALID');
    expect((await scanTable(clients.ddb, source)).map((i) => i.pk?.S).sort()).toEqual(
      items.map((i) => i.pk?.S).sort(),
    );
    expect((await readControl(clients.ddb, table, 'store'))?.versions[0]?.claimTable).toBeUndefined();
  });
});

// Review s34b (rollups over existing data, the claim table): a backfill keys its progress items
// (`~bf#<prefix>#<segment>/<segments>`) and its claims (`<prefix>#<item key>`) by the version's prefix alone
// (`store`, `store.v2`), not by the aggregate table (or the source) the version belongs to, and progress items carry
// no TTL. Version numbers are counted per aggregate table, and the claim table is shared by default: the CLI's
// `--claim-table` defaults to `dynotally-claims` for every project, environment and table of an account and region.
// So a second deployment of a rollup of the same name (staging and production in one account, two applications, or
// an aggregate table deleted and made again to start over) finds the first one's progress: its backfill reads every
// segment `done`, scans nothing, records the end and promotes a version that holds none of its table's existing
// items, silently. Over another segment count it scans, but takes the other table's claims on items with the same
// keys: left to the stream, or, in the same segment and chunk, the other table's image folded as its own (tried:
// production over 1 segment ends with a row `store#sa` = 5, staging's store, and none for its own store b).
// bindClaimTable records the claim table per version entry, which two aggregate tables do not share, so nothing
// refuses it. Severity: high (silently wrong aggregates, reported complete).
// Expected: a backfill never takes another aggregate table's progress or claims for its own: the keys name the
// aggregate table (or the version entry holds a unique build id that the keys carry), or the backfill refuses a
// claim table holding progress it did not start.
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { createAggregateTable, createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);
const orders = (store: string, n: number): Record<string, AttributeValue>[] =>
  Array.from({ length: n }, (_, i) => ({
    id: { S: `o-${i}` },
    storeId: { S: store },
    t: { N: String(T0 + i) },
  }));

describe('two aggregate tables backfilled through one claim table', () => {
  it("the second backfill counts its own table's existing items", async () => {
    // staging: its source, aggregate table and the (default, shared) claim table
    const staging = await buildingTables(clients.ddb, 's34b-share-a', orders('a', 10), rollup.compiled);
    const first = await runBackfill({
      client: clients.ddb,
      source: staging.source,
      table: staging.table,
      claimTable: staging.claimTable,
      rollup,
      segments: 2,
      settleMs: 0,
    });
    expect(first.complete).toBe(true);
    // production: its own source and aggregate table, the same claim table
    const source = uniqueTableName('s34b-share-b-src');
    const table = uniqueTableName('s34b-share-b');
    await createSourceTable(clients.ddb, source, { id: 'S' });
    await createAggregateTable(clients.ddb, table);
    await clients.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [source]: orders('b', 7).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    await registerVersions(clients.ddb, table, [rollup.compiled], { firstVersion: 'building' });
    const second = await runBackfill({
      client: clients.ddb,
      source,
      table,
      claimTable: staging.claimTable,
      rollup,
      segments: 2,
      settleMs: 0,
      promote: true,
    });
    expect(second.complete).toBe(true);
    // before a fix: scanned 0, and the promoted version has no row for store b
    expect(second.progress.scanned).toBe(7);
    const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'store#sb');
    expect(row?.n?.N).toBe('7');
  });
});

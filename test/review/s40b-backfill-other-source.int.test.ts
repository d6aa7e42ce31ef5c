// Review s40b: one build scanned from two source tables. A version's backfill can be spread over processes
// (`onlySegments`, the CLI's `--only-segments` on each of 40 machines), resumed (`--resume`), or finished by a repair,
// each process given its own `source` (the CLI's `--source-table` or the config's). Nothing tied a build to the table
// it started on: a process given another table (a typo, a staging config on one machine) folded that table's items
// into the version, marked its segments done, and the version completed and could be promoted with counts from two
// tables, silently.
// Observed (main): the process of segment 1 given table B ran; the version became ready with store#sa 10 (A's
// segment-0 items) and store#sb 11 (B's segment-1 items); a resume given B went on from A's cursor over B's items.
// Expected: the build is bound to the table its first start scanned (its ARN, from DescribeTable, recorded with the
// start in the version's entry); a process given another table is refused with CONFIG_INVALID before it claims or
// scans anything, as one given another claim table is.
// Fixed: the first start records the source table's ARN with itself (`v<n>.backfill.source`, kept by the end's
// write), `runBackfill` refuses a known other table before it binds the claim table (`source` in
// backfill/run-refusals.ts, also a dry run's `refused`), and binds its own once the start is recorded
// (`bindSourceTable`, versions/source-binding.ts), which refuses the loser of a race and binds a start an earlier
// release recorded.
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);
const orders = (store: string, n: number): Record<string, AttributeValue>[] =>
  Array.from({ length: n }, (_, i) => ({
    id: { S: `${store}-${i}` },
    storeId: { S: store },
    t: { N: String(T0 + i) },
  }));

/** Another source table (same key), holding `items`: the table a misconfigured process scans. */
async function otherSource(items: readonly Record<string, AttributeValue>[]): Promise<string> {
  const name = uniqueTableName('s40b-other-src');
  await createSourceTable(clients.ddb, name, { id: 'S' });
  for (let i = 0; i < items.length; i += 25)
    await clients.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  return name;
}

const counts = async (table: string) =>
  Object.fromEntries(
    (await scanTable(clients.ddb, table))
      .filter((i) => i.pk?.S?.startsWith('store#') === true)
      .map((i) => [i.pk?.S, Number(i.n?.N ?? 0)]),
  );

describe('a build given another source table than the one it started on', () => {
  it('refuses a spread process whose source is another table, before it scans', async () => {
    const t = await buildingTables(clients.ddb, 's40b-src-spread', orders('a', 20), rollup.compiled);
    const b = await otherSource(orders('b', 20));
    const base = {
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollup,
      segments: 2,
      settleMs: 0,
    };
    await runBackfill({ ...base, source: t.source, onlySegments: [0] });
    // machine 2 of the spread build, configured with another table
    expect(await codeOf(runBackfill({ ...base, source: b, onlySegments: [1] }))).toBe('CONFIG_INVALID');
    const v = (await readControl(clients.ddb, t.table, 'store'))?.versions.find((x) => x.version === 1);
    expect(v?.state).toBe('building');
    expect((await counts(t.table))['store#sb']).toBeUndefined();
    // the right table completes it, counting A's items only
    const done = await runBackfill({ ...base, source: t.source, onlySegments: [1] });
    expect(done.complete).toBe(true);
    expect(await counts(t.table)).toEqual({ 'store#sa': 20 });
    // the end, which writes the backfill's record again, keeps the table it was built from
    const ended = (await readControl(clients.ddb, t.table, 'store'))?.versions.find((x) => x.version === 1);
    expect(ended?.backfill?.source).toMatch(new RegExp(`:table/${t.source}$`));
  });

  it('refuses the second of two processes started together on two tables', async () => {
    const t = await buildingTables(clients.ddb, 's40b-src-race', orders('a', 20), rollup.compiled);
    const b = await otherSource(orders('b', 20));
    const base = {
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollup,
      segments: 2,
      settleMs: 0,
    };
    // both read the version before either recorded the start
    const codes = await Promise.all([
      codeOf(runBackfill({ ...base, source: t.source, onlySegments: [0] })),
      codeOf(runBackfill({ ...base, source: b, onlySegments: [1] })),
    ]);
    expect(codes.filter((c) => c === 'CONFIG_INVALID')).toHaveLength(1);
    const found = await counts(t.table);
    expect(Object.keys(found)).toHaveLength(1);
  });

  it('refuses a resume given another table (and a dry run says so)', async () => {
    const t = await buildingTables(clients.ddb, 's40b-src-resume', orders('a', 20), rollup.compiled);
    const b = await otherSource(orders('b', 20));
    const base = {
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollup,
      segments: 1,
      settleMs: 0,
    };
    const stop = new AbortController();
    const first = runBackfill({
      ...base,
      source: t.source,
      chunkItems: 5,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.chunks >= 1) stop.abort();
      },
    });
    expect(await codeOf(first)).toBe('BACKFILL_REFUSED'); // stopped after its first chunk
    const dry = await runBackfill({ ...base, source: b, dryRun: true });
    expect(dry.refused?.code).toBe('CONFIG_INVALID');
    expect(await codeOf(runBackfill({ ...base, source: b, chunkItems: 5 }))).toBe('CONFIG_INVALID');
    expect((await counts(t.table))['store#sb']).toBeUndefined();
    const done = await runBackfill({ ...base, source: t.source, chunkItems: 5 });
    expect(done.complete).toBe(true);
    expect(await counts(t.table)).toEqual({ 'store#sa': 20 });
  });
});

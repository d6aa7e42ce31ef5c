// Review s40z: a ready version promoted by a process given another source table. Review s40b bound a build to the
// table its first start scanned (`v<n>.backfill.source`) and refused every process given another one, and in the
// same change let `runBackfill({ promote: true })` promote a version it finds `ready` without scanning (a stop
// between the end and the promotion). That new path skipped the binding: the `source` refusal only looked at
// unfinished versions. `repairRollup`, which only promotes an unfinished version of the definition it finds ready,
// never looked at it either.
// Observed (main): version 1 built from table A (bound to A's ARN), ready; `runBackfill({ source: B, promote: true })`
// promoted it (its dry run reported no refusal), and so did `repairRollup({ source: B })`: a process configured to
// build from B switched reads to counts of A, with no word.
// Expected: refused with CONFIG_INVALID naming both tables, as a spread, resumed or repairing process given another
// table is; the version stays ready.
// Fixed: the `source` refusal (backfill/run-refusals.ts) covers a ready version the run is asked to promote, and
// runBackfill throws it before promoting (so the dry run reports it); repairRollup checks a ready version it did not
// complete itself against its source's ARN before promoting it (`checkSourceTable`, versions/source-binding.ts).
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { repairRollup } from '../../packages/dynotally/src/verify/repair.ts';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
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

/** Another source table (same key) holding `items`. */
async function otherSource(items: readonly Record<string, AttributeValue>[]): Promise<string> {
  const name = uniqueTableName('s40z-other-src');
  await createSourceTable(clients.ddb, name, { id: 'S' });
  await clients.ddb.send(
    new BatchWriteItemCommand({ RequestItems: { [name]: items.map((Item) => ({ PutRequest: { Item } })) } }),
  );
  return name;
}

/** Version 1 built from its source table A, ended and not promoted (ready), and another table B. */
async function readyFromA(prefix: string) {
  const t = await buildingTables(clients.ddb, prefix, orders('a', 10), rollup.compiled);
  const b = await otherSource(orders('b', 10));
  const base = { client: clients.ddb, table: t.table, claimTable: t.claimTable, rollup, settleMs: 0 };
  expect((await runBackfill({ ...base, source: t.source, segments: 1 })).complete).toBe(true);
  const v = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
  expect(v?.state).toBe('ready');
  expect(v?.backfill?.source).toMatch(new RegExp(`:table/${t.source}$`));
  return { t, b, base };
}

const state = async (table: string) => {
  const control = await readControl(clients.ddb, table, 'store');
  return { serving: control?.serving, state: control?.versions[0]?.state };
};

describe('a ready version built from one table, promoted by a process given another', () => {
  it('is refused by runBackfill({ promote: true }) (and its dry run says so)', async () => {
    const { t, b, base } = await readyFromA('s40z-ready-bf');
    const dry = await runBackfill({ ...base, source: b, promote: true, dryRun: true });
    expect(dry.refused?.code).toBe('CONFIG_INVALID');
    expect(await codeOf(runBackfill({ ...base, source: b, promote: true }))).toBe('CONFIG_INVALID');
    expect(await state(t.table)).toEqual({ serving: undefined, state: 'ready' });
    // the table it was built from promotes it
    expect(await runBackfill({ ...base, source: t.source, promote: true })).toMatchObject({ complete: true });
    expect(await state(t.table)).toEqual({ serving: 1, state: 'serving' });
  });

  it('is refused by repairRollup', async () => {
    const { t, b, base } = await readyFromA('s40z-ready-repair');
    expect(await codeOf(repairRollup({ ...base, source: b }))).toBe('CONFIG_INVALID');
    expect(await state(t.table)).toEqual({ serving: undefined, state: 'ready' });
    const repaired = await repairRollup({ ...base, source: t.source });
    expect(repaired).toMatchObject({ version: 1, registered: false, promoted: true });
  });
});

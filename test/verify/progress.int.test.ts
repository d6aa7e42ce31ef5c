// verify's progress (`onProgress`) and its comparison as the stored rows are read, on DynamoDB Local. A pass reports
// its source Scan, its read of the stored rows (each compared as it is read, not kept) and the comparison of the
// recomputed rows no stored row matched (missing from the table); the counts only grow within a pass and end at
// the table's. A row missing from the table, one the source does not give and a changed one are drift as before the
// rows were compared as read; a second pass reads the drifted groups by Query and says so (`reads: 'query'`).
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { verify } from '../../packages/dynotally/src/verify/index.ts';
import type { VerifyProgress } from '../../packages/dynotally/src/verify/verify-options.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STORES = 40;
const items: Record<string, AttributeValue>[] = Array.from({ length: 300 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % STORES}` },
  t: { N: String(Date.UTC(2026, 10, 1) + i) },
}));

/** Tables whose source holds `items`, counted into version 1 of rollup `store` by a backfill, which serves. */
async function served(prefix: string): Promise<{ source: string; table: string }> {
  const t = await buildingTables(clients.ddb, prefix, items, storeCountRollup.compiled);
  const built = await runBackfill({
    ...t,
    client: clients.ddb,
    rollup: storeCountRollup,
    settleMs: 0,
    promote: true,
  });
  expect(built.complete).toBe(true);
  return { source: t.source, table: t.table };
}

const PHASES = ['source', 'stored', 'compare'] as const;
const GROWING = ['scanned', 'expectedRows', 'storedRows', 'compared', 'drifted', 'readUnits'] as const;

/** Checks that the reports of each pass go through the phases in order, their counts never shrinking. */
function expectGrowing(seen: readonly VerifyProgress[]): void {
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1] as VerifyProgress, seen[i] as VerifyProgress];
    if (b.pass !== a.pass) {
      expect(b.pass).toBe(a.pass + 1);
      expect(b.phase).toBe('source');
      continue;
    }
    expect(PHASES.indexOf(b.phase)).toBeGreaterThanOrEqual(PHASES.indexOf(a.phase));
    for (const k of GROWING) expect(b[k], `${k} at report ${i}`).toBeGreaterThanOrEqual(a[k]);
    if (b.phase === a.phase) expect(b.segmentsDone).toBeGreaterThanOrEqual(a.segmentsDone);
  }
}

/** The last report of a phase of a pass. */
const lastOf = (seen: readonly VerifyProgress[], pass: number, phase: VerifyProgress['phase']) =>
  seen.filter((p) => p.pass === pass && p.phase === phase).at(-1);

describe('verify: progress and rows compared as they are read', () => {
  it('reports each phase with growing counts that end at the table’s', async () => {
    const t = await served('vf-prog');
    const seen: VerifyProgress[] = [];
    const report = await verify({
      ...t,
      client: clients.ddb,
      rollup: storeCountRollup,
      segments: 6,
      segmentConcurrency: 2,
      passes: 1,
      onProgress: (p) => seen.push(p),
    });
    expect(report).toMatchObject({ drift: [], scannedItems: items.length, rows: STORES, groups: STORES });
    expectGrowing(seen);
    // a report per page at least: each of the 6 segments of both Scans ends with one
    expect(seen.filter((p) => p.phase === 'source').length).toBeGreaterThanOrEqual(6);
    expect(seen.filter((p) => p.phase === 'stored').length).toBeGreaterThanOrEqual(6);
    const stored = (await scanTable(clients.ddb, t.table)).filter((r) => r.pk?.S?.startsWith('store#'));
    expect(stored).toHaveLength(STORES);
    expect(lastOf(seen, 1, 'source')).toMatchObject({
      reads: 'scan',
      scanned: items.length,
      expectedRows: STORES,
      segmentsDone: 6,
      segments: 6,
    });
    expect(lastOf(seen, 1, 'stored')).toMatchObject({
      reads: 'scan',
      storedRows: stored.length,
      compared: STORES,
      segmentsDone: 6,
      segments: 6,
    });
    expect(lastOf(seen, 1, 'compare')).toMatchObject({
      reads: 'none',
      compared: report.rows,
      drifted: 0,
      segmentsDone: 1,
      segments: 1,
    });
    expect(seen.at(-1)?.phase).toBe('compare');
    // the source scan counts towards the table's estimated item count, as a backfill's does, with its rate and ETA
    const count = (await clients.ddb.send(new DescribeTableCommand({ TableName: t.source }))).Table
      ?.ItemCount;
    expect(count).toBeGreaterThan(0);
    for (const p of seen) {
      expect(p.estimatedItems).toBe(count);
      expect(p.etaMs).toBeGreaterThanOrEqual(0);
      if (p.phase !== 'source') expect([p.itemsPerSecond, p.etaMs]).toEqual([0, 0]);
    }
    const lastSource = lastOf(seen, 1, 'source');
    expect(lastSource?.itemsPerSecond).toBeGreaterThan(0);
    // all scanned: nothing left to wait for
    expect(lastSource?.etaMs).toBe(0);
  });

  it('finds a missing, an extra and a changed row as drift, and re-reads the drifted groups by Query', async () => {
    const t = await served('vf-prog-drift');
    // s-1's row is gone, s-2's count is off, and a row of a store without items appears
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: t.table, Key: { pk: { S: 'store#ss-1' }, sk: { S: 'ALL' } } }),
    );
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: 'store#ss-2' }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    await clients.ddb.send(
      new PutItemCommand({
        TableName: t.table,
        Item: { pk: { S: 'store#ss-999' }, sk: { S: 'ALL' }, n: { N: '4' } },
      }),
    );
    const seen: VerifyProgress[] = [];
    const report = await verify({
      ...t,
      client: clients.ddb,
      rollup: storeCountRollup,
      segments: 3,
      passes: 2,
      settleMs: 0,
      onProgress: (p) => seen.push(p),
    });
    expect(
      report.drift.map((d) => ({ pk: d.row.pk, attr: d.attr, expected: d.expected, actual: d.actual })),
    ).toEqual([
      { pk: 'store#ss-1', attr: 'n', expected: '8', actual: null },
      { pk: 'store#ss-2', attr: 'n', expected: '8', actual: '9' },
      { pk: 'store#ss-999', attr: 'n', expected: null, actual: '4' },
    ]);
    expect(report).toMatchObject({ rows: STORES + 1, groups: STORES + 1, passes: 2, settled: 0 });
    expectGrowing(seen);
    // the missing row is compared after the stored rows are read
    expect(lastOf(seen, 1, 'stored')).toMatchObject({ storedRows: STORES, compared: STORES, drifted: 2 });
    expect(lastOf(seen, 1, 'compare')).toMatchObject({ compared: STORES + 1, drifted: 3 });
    // the second pass reads the 3 drifted groups' rows by Query (s-999's source has no items)
    expect(lastOf(seen, 2, 'source')).toMatchObject({ scanned: items.length, expectedRows: 2 });
    expect(lastOf(seen, 2, 'stored')).toMatchObject({
      reads: 'query',
      storedRows: 2,
      segmentsDone: 3,
      segments: 3,
    });
    expect(lastOf(seen, 2, 'compare')).toMatchObject({ compared: 3, drifted: 3 });
  });
});

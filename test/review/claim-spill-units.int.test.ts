// Review of what a backfill reports it wrote when it claims source items near 400 KB (0501efd, 44572b3).
//
// A rollup with a callback keeps the whole item in its scan claims: a claim of an item of 300 KB is a 300 KB
// write (300 write units), and a claim too large for one item first writes its image's deflated parts (1 unit
// per KB of them, docs/backfill.md's cost table says so since 44572b3). runBackfill still adds one write unit per
// claim to `progress.writeUnits` (`progress.writeUnits += toClaim.length`), and BackfillProgress.claimWrites
// still said "1 unit each": the report of a backfill over such items (the CLI's "… write units" line) left out
// nearly all it paid for its claims. Fixed: putNewClaims counts the write units of what it wrote by size
// (ClaimBatchStats.writeUnits: parts, claims written, 1 for a claim found there), and runBackfill adds those.
// The dry run's estimate (estimateBackfill) counted one unit per item for the claims, printed by the CLI as an
// upper bound ("writes ≤ … write units"): below what the claims alone cost for such a table. Fixed: a callback
// rollup's claims are estimated at 1 unit per KB of the table, plus 1 per item for the rounding.
import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { estimateBackfill, runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/index.ts';
import { defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { callbackKinds, callbackKindsDefinition } from './callback-kinds.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

// a rollup with a callback: its scan claims keep the whole item
const kinds = callbackKinds;

type Item = Record<string, AttributeValue>;

/** A source item `{ id, kind, t, blob }` of `bytes` (DynamoDB's item-size rules), its blob random (no deflating). */
function item(id: string, bytes: number): Item {
  const base: Item = { id: { S: id }, kind: { S: 'a' }, t: { N: String(Date.UTC(2026, 10, 1)) } };
  const blob = bytes - itemSizeBytes(base) - 'blob'.length;
  return { ...base, blob: { B: new Uint8Array(randomBytes(blob)) } };
}

describe('the write units a backfill reports for the claims of large items', () => {
  // failed before the fix: progress.writeUnits was 2 for the two claims plus the row's units (3 in all): the
  // 300 KB claim (300 units) and the spilled image's parts (about 400 units) were not counted
  it('counts a claim of a 300 KB item and the parts of a spilled 400 KB image by their size', async () => {
    const small = item('a', 300 * 1024); // its claim keeps the image: a 300 KB claim item
    const large = item('b', 400 * 1024 - 10); // its claim is spilled: parts of its deflated image, about 400 KB
    const t = await buildingTables(clients.ddb, 'review-spill-units', [small, large], kinds.compiled);
    const report = await runBackfill({ client: clients.ddb, ...t, rollup: kinds, segments: 1, settleMs: 0 });
    expect(report.complete).toBe(true);
    expect(report.progress).toMatchObject({ scanned: 2, folded: 2, claimWrites: 2 });
    // 300 units for the first claim, at least 400 for the second's parts (random bytes do not deflate)
    expect(report.progress.writeUnits).toBeGreaterThanOrEqual(700);
  });

  // failed before the fix: estimateBackfill gave 10 + 10 × rows (20 for this rollup), while the claims alone cost
  // about 4,000
  it("a dry run's estimate for a table of 400 KB items is not below what their claims cost", () => {
    const items = 10;
    const estimate = estimateBackfill(items * 400 * 1024, items, kinds.compiled, undefined);
    expect(estimate.writeUnits).toBeGreaterThanOrEqual(items * 390);
    // a rollup reading named attributes keeps claims under 1 KB: one unit each, as before
    const named = defineRollup({ ...callbackKindsDefinition, groupBy: 'kind' });
    expect(estimateBackfill(items * 400 * 1024, items, named.compiled, undefined).writeUnits).toBe(
      items + items * named.compiled.rows.length,
    );
  });
});

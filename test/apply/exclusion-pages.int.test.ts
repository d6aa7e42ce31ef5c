// A shard's exclusion list is paged: an item holds about 4,300 entries (400 KB), and a shard whose records the
// store refuses more often than that within the redelivery horizon must go on recording them, not fail its
// batches until old entries expire (the fourth review filled one item and blocked the shard).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { emptyReport } from '../../packages/dynotally/src/apply/apply-report.ts';
import {
  clearExclusions,
  type ExclusionContext,
  readExclusions,
  recordExclusion,
  rowHash,
} from '../../packages/dynotally/src/apply/exclusions.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** An exclusion refused by `rows` rows (each hash 16 characters: ~19 bytes of the entry a row). */
const refusal = (i: number, rows: number) => ({
  seq: String(100000000000000000000n + BigInt(i)),
  rows: Array.from({ length: rows }, (_, r) => rowHash(`amounts#s${i}-${r}\u0000ALL`)),
  tooLarge: false,
  at: 1_763_800_000 + i,
});

async function context(prefix: string, rollups: string[]): Promise<ExclusionContext> {
  const table = uniqueTableName(prefix);
  await createAggregateTable(clients.ddb, table);
  const base = { client: clients.ddb, table, now: 1_763_900_000_000, report: emptyReport(0) };
  return { ...base, source: 'arn:s', shardId: 'shard-1', rollups, pages: new Map() };
}

describe('exclusion pages', () => {
  it('records past one item (1.2 MB of entries), reads every page back, and clears them', async () => {
    const ctx = await context('wx-pages', ['amounts', 'kinds']);
    const n = 60; // 60 entries of ~19 KB: three pages per rollup
    for (let i = 0; i < n; i++) await recordExclusion(refusal(i, 1000), ctx);
    const items = (await scanTable(clients.ddb, ctx.table)).filter((i) => i.pk?.S === '~wx#shard-1');
    expect(items.length).toBeGreaterThanOrEqual(6);
    // a fresh delivery (no pages known) reads them all, across Query pages of 1 MB
    const fresh = { ...ctx, pages: new Map<string, number>() };
    const stored = await readExclusions(fresh);
    expect(stored.bySeq.size).toBe(n);
    expect([...stored.bySeq.values()].every((x) => x.rows.length === 1000)).toBe(true);
    expect(fresh.pages.get('amounts')).toBe(ctx.pages?.get('amounts'));
    // another applier's rollup on the same shard is not read as this one's
    const other = await readExclusions({ ...ctx, rollups: ['colors'], pages: new Map() });
    expect(other.raw).toEqual([]);
    await clearExclusions(stored.raw, fresh);
    expect((await readExclusions({ ...ctx, pages: new Map() })).raw).toEqual([]);
  });

  it('a delivery that does not know the pages finds the full one refused and writes past it', async () => {
    const ctx = await context('wx-pages-unknown', ['amounts']);
    for (let i = 0; i < 30; i++) await recordExclusion(refusal(i, 1000), ctx);
    expect(ctx.pages?.get('amounts')).toBeGreaterThan(0);
    const blind = { ...ctx, pages: undefined };
    await recordExclusion(refusal(99, 1000), blind);
    const stored = await readExclusions({ ...ctx, pages: new Map() });
    expect(stored.bySeq.has(refusal(99, 1).seq)).toBe(true);
    expect(stored.bySeq.size).toBe(31);
  });
});

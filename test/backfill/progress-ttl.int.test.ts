// A backfill's progress items (one per segment, in the claim table shared by every aggregate table by default) are
// keyed by the version's build id (`<prefix>~<id>`), so each rebuild writes new ones. Without a TTL they stayed in
// the claim table for good. Every progress write now sets the claim table's TTL attribute (`ttl`) 30 days after the
// backfill's clock, as a claim's: the build ends within 28 days of its registration, so no item expires while a
// resume may read it; after the end nothing reads them (the end records what they summed, `backfill.storeRefused`).
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeItem } from '../support/store-count-stream.ts';
import { buildingTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const DAY = 86_400_000;
const rollup = storeCountRollup;

/** The `ttl` of every progress item in the claim table, by key. */
async function progressTtls(claimTable: string): Promise<Record<string, string | undefined>> {
  const out = await clients.ddb.send(new ScanCommand({ TableName: claimTable, ConsistentRead: true }));
  return Object.fromEntries(
    (out.Items ?? [])
      .filter((it) => it.pk?.S?.startsWith('~bf#') === true)
      .map((it) => [it.pk?.S as string, it.ttl?.N]),
  );
}

describe('backfill progress items', () => {
  it('carry a ttl 30 days after their last write, and the end records what the store refused', async () => {
    const t = await buildingTables(
      clients.ddb,
      'bf-progress-ttl',
      Array.from({ length: 30 }, (_, i) => storeItem(i)),
      rollup.compiled,
    );
    const base = { ...t, client: clients.ddb, rollup, settleMs: 0, segments: 2, chunkItems: 5 };
    const at = Date.now(); // after the registration: no settle wait
    const ttlAt = (ms: number) => String(Math.floor((ms + 30 * DAY) / 1000));
    // a first run, stopped after its first chunk
    const stop = new AbortController();
    await expect(
      runBackfill({ ...base, now: () => at, signal: stop.signal, onProgress: () => stop.abort() }),
    ).rejects.toThrow(/stopped/);
    const first = await progressTtls(t.claimTable);
    expect(Object.keys(first).length).toBeGreaterThan(0);
    for (const ttl of Object.values(first)) expect(ttl).toBe(ttlAt(at));
    // resumed two days later (within the 28 days): every segment's last write moves its ttl on
    const later = at + 2 * DAY;
    const report = await runBackfill({ ...base, now: () => later });
    expect(report.complete).toBe(true);
    const ttls = await progressTtls(t.claimTable);
    // the two segments' items and the build's state slots (`~bf#<prefix>#slots`, written as the segments end)
    expect(Object.keys(ttls).sort()).toHaveLength(3);
    for (const ttl of Object.values(ttls)) expect(ttl).toBe(ttlAt(later));
    // what the progress items summed is on the version's entry, which outlives them
    const entry = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect(entry?.backfill).toMatchObject({ segments: 2, storeRefused: 0 });
  });
});

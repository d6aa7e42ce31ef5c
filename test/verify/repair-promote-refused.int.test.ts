// A repair promotes its rebuild as a rollback (`rollback: true`), so `promoteVersion`'s refusal of an older
// definition than the serving one's never applies to it, and a rebuild it finds held is not promoted at all. Its
// promotion can still be refused when the control item changes between the repair's read and its promotion: another
// version promoted meanwhile (a deploy's `rollups promote`, a backfill's `--promote`), or the rebuild retired meanwhile
// (`rollups retire`). That refusal was thrown, losing the report (the rows the rebuild folded, its version); it is now
// the report's `promoteRefused`, and the rebuild is left as the other process left it. The races run for real
// against DynamoDB Local: a client holds the repair's promotion write until the other process's write is done.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { repairRollup } from '../../packages/dynotally/src/verify/index.ts';
import {
  holdParams,
  promoteVersion,
  recordBackfill,
  registerVersions,
  retireVersion,
} from '../../packages/dynotally/src/versions/index.ts';
import { backfillTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient, isPromotion } from '../support/held-client.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount, storeItem, versionStates } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const items = Array.from({ length: 12 }, (_, i) => storeItem(i));
const base = { rollup, chunkItems: 5, settleMs: 0, segments: 1 };
const states = (table: string) => versionStates(clients.ddb, table);

/** A client that runs `meanwhile` once, just before the repair's promotion write goes out. */
function beforePromotion(meanwhile: () => Promise<unknown>) {
  let done = false;
  return heldClient(clients.ddb, async (c) => {
    if (done || !isPromotion(c)) return;
    done = true;
    await meanwhile();
  });
}

describe('a repair whose promotion is refused because the control item changed meanwhile', () => {
  it('the rebuild retired meanwhile: reported as refused, with the rows it folded', async () => {
    const t = await backfillTables(clients.ddb, 'rp-refused-retired', items);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]); // version 1 serves
    const client = beforePromotion(() => retireVersion(clients.ddb, t.table, 'store', 2));
    const report = await repairRollup({ ...t, ...base, client });
    expect(report).toMatchObject({
      version: 2,
      registered: true,
      previous: 1,
      promoted: false,
      held: false,
      promoteRefused: { reason: expect.stringContaining('is retired'), serving: 1 },
      backfill: { complete: true, progress: { folded: items.length } },
    });
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBe(String(items.length));
    expect(await states(t.table)).toEqual([
      [1, 'serving'],
      [2, 'retired'],
    ]);
  });

  it('another version promoted meanwhile: reported as refused, naming the version that serves', async () => {
    const t = await backfillTables(clients.ddb, 'rp-refused-won', items);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]); // version 1 (A) serves
    // a changed definition B, version 2, built (ready) by its own backfill
    const changed = defineRollup({
      ...storeCountConfig,
      measures: { ...storeCountConfig.measures, total: sum('t') },
    });
    await registerVersions(clients.ddb, t.table, [changed.compiled]);
    await recordBackfill(clients.ddb, t.table, 'store', 2, {
      startedAt: Date.now(),
      segments: 1,
      endedAt: Date.now(),
    });
    // the repair of A rebuilds it as version 3; B is promoted just before the repair's promotion
    const client = beforePromotion(() => promoteVersion(clients.ddb, t.table, 'store', 2));
    const report = await repairRollup({ ...t, ...base, client });
    expect(report).toMatchObject({
      version: 3,
      registered: true,
      previous: 1,
      promoted: false,
      promoteRefused: { reason: expect.stringContaining('another promotion (version 2) won'), serving: 2 },
      backfill: { complete: true, progress: { folded: items.length } },
    });
    expect(await states(t.table)).toEqual([
      [1, 'retired'],
      [2, 'serving'],
      [3, 'ready'],
    ]);
  });

  it('a hold recorded on the rebuild meanwhile (another repair): reported as held, with its count', async () => {
    const t = await backfillTables(clients.ddb, 'rp-refused-held', items);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]); // version 1 serves
    const client = beforePromotion(() =>
      clients.ddb.send(
        new UpdateItemCommand(holdParams(t.table, 'store', { version: 2, storeRefused: 3, now: Date.now() })),
      ),
    );
    const report = await repairRollup({ ...t, ...base, client });
    expect(report).toMatchObject({ version: 2, promoted: false, held: true, storeRefused: 3 });
    expect(report.promoteRefused).toBeUndefined();
    expect(await states(t.table)).toEqual([
      [1, 'serving'],
      [2, 'ready'],
    ]);
  });
});

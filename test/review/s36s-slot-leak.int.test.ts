// Review s36s (backfill state slots, f40cf1d0/7bc4ea72). What: a segment frees its state slots when its own run
// writes its end (`if (done) return slots.release(segment)`), but a run that finds the segment already done frees
// them only when the progress item records a slot (`p.done` → `p.slot === undefined ? undefined : release`). A
// process that takes a slot for a segment another process is running under the segment's own state (every slot was
// held when that one started, so it applies under `bf-<segment>/<segments>`) fails to record it (the segment is past
// its first chunk, or done), reads the progress again, finds it done with no slot recorded and returns: the slot it
// took stays held by that segment for the rest of the build, though the segment will never apply anything again.
// Two processes on one segment is a documented set-up (a resume racing a live run, `onlySegments` overlapping;
// "Processes building one version over one count share its segments"). Each such race loses one slot of the 1,024
// for the build; once they are all held, every later segment falls back to a state of its own (the s34b growth).
// Expected: a process that took a slot and finds its segment done (slot recorded or not) frees what the segment holds.
// Fixed: a run that took a slot frees the segment's slots when it finds the segment done.
// Severity: low (needs every slot held at a segment's start, or a crash of the taking process; the pool shrinks by
// one slot per race, counts stay exact).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseProgress, progressKey } from '../../packages/dynotally/src/backfill/progress-item.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { STATE_SLOTS, slotsKey } from '../../packages/dynotally/src/backfill/state-slots.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { holdingClient } from '../support/holding-client.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);

describe('a state slot taken for a segment run under its own state', () => {
  it('is freed once the segment is found done', async () => {
    const ITEMS = 6;
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 's36s-slot-leak', items, storeCountRollup.compiled);
    const base = {
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup: storeCountRollup,
      segments: 1,
      settleMs: 0,
    };
    const prefix = await claimsPrefixOf(clients.ddb, t.table, 'store', 1);
    // every slot held by segments in flight elsewhere
    const full: Record<string, AttributeValue> = { ...slotsKey(prefix) };
    for (let s = 0; s < STATE_SLOTS; s++) {
      full[`g${s}`] = { N: '1' };
      full[`h${s}`] = { N: String(10_000 + s) };
    }
    await clients.ddb.send(new PutItemCommand({ TableName: t.claimTable, Item: full }));
    const slotsPk = slotsKey(prefix).pk?.S;
    // B (a second process on segment 0) has read the segment's progress (chunk 0, nothing applied) and is held
    // before it reads the slot item
    const b = holdingClient(
      (command, input) =>
        command === 'GetItemCommand' &&
        (input.Key as Record<string, AttributeValue> | undefined)?.pk?.S === slotsPk,
      { hold: 'before' },
    );
    const runB = runBackfill({ ...base, client: b.client });
    await b.held;
    // A runs segment 0 to its end meanwhile: no slot free, so under the segment's own state
    const a = await runBackfill({ ...base, client: clients.ddb });
    expect(a.complete).toBe(true);
    const progress = parseProgress(
      (
        await clients.ddb.send(
          new GetItemCommand({
            TableName: t.claimTable,
            Key: progressKey(prefix, 0, 1),
            ConsistentRead: true,
          }),
        )
      ).Item,
    );
    expect(progress.done).toBe(true);
    expect(progress.slot).toBeUndefined();
    // a segment of another process is done and frees slot 0; B goes on: it takes slot 0 for segment 0, cannot
    // record it, reads the progress again and finds the segment done
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: t.claimTable,
        Key: slotsKey(prefix),
        UpdateExpression: 'REMOVE h0',
      }),
    );
    b.release();
    expect((await runB).complete).toBe(true);
    const row = (await scanTable(clients.ddb, t.table)).find((i) => i.pk?.S === 'store#ss-0');
    expect(row?.n?.N).toBe(String(ITEMS)); // counts are exact
    const slotItem = (
      await clients.ddb.send(
        new GetItemCommand({ TableName: t.claimTable, Key: slotsKey(prefix), ConsistentRead: true }),
      )
    ).Item;
    // observed: h0 = 0, generation 2: held by done segment 0 for the rest of the build
    expect(slotItem?.h0).toBeUndefined();
  });
});

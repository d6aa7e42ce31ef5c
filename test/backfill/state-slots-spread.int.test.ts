// Processes taking a build's state slots at once spread over the lowest free ones instead of all aiming at the
// lowest (review s36s): a build's first takes by segment over SLOT_SPREAD, a process's later ones over as many as the
// takes others made since its last, twice, plus one (alone: the lowest), and twice as wide after a failed write, which
// returns the item (no second read). So a take costs about one consistent read and one conditional write, and the
// slots in use stay within the lowest (held + SLOT_SPREAD).
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { SLOT_SPREAD, StateSlots, slotsKey } from '../../packages/dynotally/src/backfill/state-slots.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { buildingTables } from './backfill-tables.ts';
import { countingClient } from './counting-client.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

async function claimTable(name: string): Promise<string> {
  const table = uniqueTableName(name);
  await createClaimTable(clients.ddb, table);
  return table;
}

describe('state slots taken at once', () => {
  it("spread over the lowest free: a build's first takes by segment, a process alone the lowest", async () => {
    const table = await claimTable('slots-spread');
    const slots = () => new StateSlots(clients.ddb, table, 'store.v1', Date.now);
    // none taken yet (a fleet may be starting together): segment 5 aims at the 6th free slot
    expect(await slots().take(5)).toEqual({ slot: 5, generation: 1 });
    // a process's first take of a used build, and its later ones while no other process takes: the lowest free
    const p = slots();
    expect(await p.take(70)).toEqual({ slot: 0, generation: 1 });
    expect(await p.take(71)).toEqual({ slot: 1, generation: 1 });
    // three takes by others since p's last: p spreads over twice as many free slots and one (6 … 12), 74 mod 7 = 4
    for (const segment of [80, 81, 82]) await slots().take(segment); // 2, 3, 4
    expect(await p.take(74)).toEqual({ slot: 10, generation: 1 });
    // none since: the lowest free again
    expect(await p.take(75)).toEqual({ slot: 6, generation: 1 });
  });

  it('a take whose write fails goes on with the item the failure returned, not a second read', async () => {
    const table = await claimTable('slots-failed');
    await new StateSlots(clients.ddb, table, 'store.v1', Date.now).take(0); // a used build: takes aim at the lowest
    const counts = new Map<string, number>();
    const p = countingClient(counts, (command) => command === 'GetItemCommand');
    const taking = new StateSlots(p.client, table, 'store.v1', Date.now).take(1);
    await p.held; // p read the item (slot 1 the lowest free) and is held before its write
    expect(await new StateSlots(clients.ddb, table, 'store.v1', Date.now).take(2)).toEqual({
      slot: 1,
      generation: 1,
    });
    p.release();
    const got = await taking;
    // one other took a slot since p's read: p spreads over 4 times as many free slots (2 … 5)
    expect([2, 3, 4, 5]).toContain(got?.slot);
    expect(counts.get('GetItemCommand')).toBe(1);
    expect(counts.get('UpdateItemCommand')).toBe(2);
  });

  it('cost about one read and one conditional write per take for a fleet starting together', async () => {
    const table = await claimTable('slots-fleet');
    const PROCESSES = 40;
    const EACH = 4; // each process takes its segments' slots in turn, as runBackfill does
    const counts = new Map<string, number>();
    const { client } = countingClient(counts);
    // onlySegments ranges of 25 over the processes (segments: 1000): process i starts 25i, 25i + 1, …
    const taken = (
      await Promise.all(
        Array.from({ length: PROCESSES }, async (_, i) => {
          const slots = new StateSlots(client, table, 'store.v1', Date.now);
          const out: number[] = [];
          for (let j = 0; j < EACH; j++) out.push((await slots.take(25 * i + j))?.slot ?? -1);
          return out;
        }),
      )
    ).flat();
    const writes = counts.get('UpdateItemCommand') ?? 0;
    const reads = counts.get('GetItemCommand') ?? 0;
    console.log(
      `fleet: ${taken.length} takes sent ${writes} conditional writes and ${reads} consistent reads`,
    );
    expect(new Set(taken).size).toBe(PROCESSES * EACH); // one slot each, none refused
    expect(Math.min(...taken)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...taken)).toBeLessThan(PROCESSES * EACH + SLOT_SPREAD);
    expect(reads).toBe(PROCESSES * EACH);
    expect(writes).toBeLessThanOrEqual(1.5 * PROCESSES * EACH);
  });

  it("cost a few conditional writes per take for processes starting together on a used build's slots", async () => {
    const table = await claimTable('slots-restart');
    const HELD = 10;
    const item: Record<string, AttributeValue> = { ...slotsKey('store.v1') };
    for (let s = 0; s < HELD; s++) {
      item[`g${s}`] = { N: '1' };
      item[`h${s}`] = { N: String(10_000 + s) };
    }
    await clients.ddb.send(new PutItemCommand({ TableName: table, Item: item }));
    const PROCESSES = 40;
    const counts = new Map<string, number>();
    const { client } = countingClient(counts);
    const taken = await Promise.all(
      Array.from({ length: PROCESSES }, (_, segment) =>
        new StateSlots(client, table, 'store.v1', Date.now).take(segment),
      ),
    );
    const writes = counts.get('UpdateItemCommand') ?? 0;
    const reads = counts.get('GetItemCommand') ?? 0;
    console.log(
      `restart: ${PROCESSES} takes sent ${writes} conditional writes and ${reads} consistent reads`,
    );
    expect(new Set(taken.map((s) => s?.slot)).size).toBe(PROCESSES);
    expect(Math.max(...taken.map((s) => s?.slot ?? 0))).toBeLessThan(HELD + PROCESSES + SLOT_SPREAD);
    expect(reads).toBe(PROCESSES);
    expect(writes).toBeLessThanOrEqual(6 * PROCESSES);
  });

  it('processes running a build together keep a row within the spread of their segments in flight', async () => {
    const ITEMS = 600;
    const T0 = Date.UTC(2026, 11, 1);
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 'slots-procs', items, storeCountRollup.compiled);
    const PROCESSES = 4;
    const SEGMENTS = 200;
    const IN_FLIGHT = 8;
    const counts = new Map<string, number>();
    const per = SEGMENTS / PROCESSES;
    await Promise.all(
      Array.from({ length: PROCESSES }, (_, p) => {
        const { client } = countingClient(counts, undefined, (input) =>
          ((input.Key as Record<string, AttributeValue> | undefined)?.pk?.S ?? '').endsWith('#slots'),
        );
        return runBackfill({
          client,
          source: t.source,
          table: t.table,
          claimTable: t.claimTable,
          rollup: storeCountRollup,
          segments: SEGMENTS,
          segmentConcurrency: IN_FLIGHT,
          settleMs: 0,
          onlySegments: Array.from({ length: per }, (_, i) => p * per + i),
        });
      }),
    );
    const row = (await scanTable(clients.ddb, t.table)).find((i) => i.pk?.S === 'store#ss-0');
    expect(row?.n?.N).toBe(String(ITEMS));
    const states = Object.keys(row ?? {}).filter((k) => k.startsWith('~')).length;
    const writes = counts.get('UpdateItemCommand') ?? 0;
    const reads = counts.get('GetItemCommand') ?? 0;
    console.log(
      `${PROCESSES} processes: ${states} states on the row; slot item: ${writes} writes, ${reads} reads`,
    );
    expect(states).toBeLessThanOrEqual(PROCESSES * IN_FLIGHT + SLOT_SPREAD);
    expect(reads).toBe(2 * SEGMENTS); // one to take a slot, one to free it, per segment
    expect(writes).toBeLessThanOrEqual(2.5 * SEGMENTS);
  });
});

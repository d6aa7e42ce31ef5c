// A backfill segment is applied under one of its build's STATE_SLOTS state slots (`bf-slot-<n>`), taken when the
// segment starts and recorded in its progress item, so a row keeps at most that many of the build's exactly-once
// states whatever the segment count (review s34b). A slot passes to another segment only once its holder is done,
// at the next generation (its records come after every record of the earlier holders): a resumed segment applies
// its chunk again under the slot it recorded, and a process applying a done segment's chunk late finds the next
// holder's state on the row and counts nothing. A process that found every slot held applies under the segment's own
// state, but stamps its chunk only while no slot is recorded: once another process recorded one, it follows it.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { stateBytesOf } from '../../packages/dynotally/src/apply/transactional-rows.ts';
import { scanRecord } from '../../packages/dynotally/src/backfill/decided-records.ts';
import { parseProgress, progressKey } from '../../packages/dynotally/src/backfill/progress-item.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import {
  STATE_SLOTS,
  StateSlots,
  slotOffset,
  slotsKey,
  stateShardId,
} from '../../packages/dynotally/src/backfill/state-slots.ts';
import { createAggregateTable, createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { allTimeRollup, counterCells } from '../apply/budget-support.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { holdingClient } from '../support/holding-client.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { buildingTables } from './backfill-tables.ts';
import { crashAfterRows } from './crash-after-rows.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);

/** True for an `UpdateItem` that sets `name` (a progress write: `SET #s<i> = …`). */
const sets = (command: string, input: Record<string, unknown>, name: string) =>
  command === 'UpdateItemCommand' &&
  Object.entries((input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {}).some(
    ([k, v]) => k.startsWith('#s') && v === name,
  );

describe('state slots', () => {
  it('are taken lowest first, never while held, and once released at the next generation', async () => {
    const claimTable = uniqueTableName('slots-take');
    await createClaimTable(clients.ddb, claimTable);
    // a process of its own for each step: nothing is known in memory
    const slots = () => new StateSlots(clients.ddb, claimTable, 'store.v1', Date.now);
    expect(await slots().take(0)).toEqual({ slot: 0, generation: 1 });
    expect(await slots().take(1)).toEqual({ slot: 1, generation: 1 }); // segment 0 holds slot 0
    expect(await slots().take(1)).toEqual({ slot: 1, generation: 2 }); // its own (a take it did not record)
    expect(await slots().take(2)).toEqual({ slot: 2, generation: 1 });
    await slots().release(0); // segment 0 is done
    expect(await slots().take(3)).toEqual({ slot: 0, generation: 2 });
    await slots().release(7); // holds nothing: changes nothing
    expect(await slots().take(4)).toEqual({ slot: 3, generation: 1 });
  });

  it('taken by 40 processes at once beside 10 held: one read a take, the failed writes spread over the lowest free', async () => {
    const claimTable = uniqueTableName('slots-burst');
    await createClaimTable(clients.ddb, claimTable);
    // segments 0–9 hold slots 0–9 (a fleet restarted), segments 10–49 start together
    for (let i = 0; i < 10; i++) await new StateSlots(clients.ddb, claimTable, 'store.v1', Date.now).take(i);
    const counts = new Map<string, number>();
    const c = testClients();
    c.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        counts.set(context.commandName ?? '', (counts.get(context.commandName ?? '') ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    try {
      const taken = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          new StateSlots(c.ddb, claimTable, 'store.v1', Date.now).take(10 + i),
        ),
      );
      const slots = taken.map((t) => t?.slot ?? -1);
      expect(new Set(slots).size).toBe(40);
      expect(Math.min(...slots)).toBeGreaterThanOrEqual(10);
      expect(Math.max(...slots)).toBeLessThan(10 + 40 + 64);
      // a failed write returns the item, so no second read (539 reads with a read after each failure); the retries
      // spread over the lowest 2, 4 … 64 free slots (177 writes measured; 539 when every retry aimed at the lowest)
      expect(counts.get('GetItemCommand')).toBe(40);
      expect(counts.get('UpdateItemCommand')).toBeLessThanOrEqual(300);
    } finally {
      c.destroy();
    }
  });

  it('a segment resumed after the others finished applies its chunk again once, under the slot it recorded', async () => {
    const ITEMS = 80;
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 'slots-resume', items, storeCountRollup.compiled);
    const base = {
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup: storeCountRollup,
      segments: 4,
      chunkItems: 5,
      settleMs: 0,
    };
    // segment 0 runs first and crashes between its first chunk's rows and its progress write
    await expect(runBackfill({ ...base, client: crashAfterRows(), segmentConcurrency: 1 })).rejects.toThrow(
      /crash/,
    );
    const prefix = await claimsPrefixOf(clients.ddb, t.table, 'store', 1);
    const progressOf = async (segment: number) =>
      parseProgress(
        (
          await clients.ddb.send(
            new GetItemCommand({
              TableName: t.claimTable,
              Key: progressKey(prefix, segment, 4),
              ConsistentRead: true,
            }),
          )
        ).Item,
      );
    const crashed = await progressOf(0);
    expect(crashed.applying).toBeDefined();
    expect(crashed.slot).toEqual({ slot: 0, generation: 1 });
    // the other segments run to their end meanwhile, one at a time: they pass slot 1 on, never take slot 0
    const others = await runBackfill({
      ...base,
      client: clients.ddb,
      onlySegments: [1, 2, 3],
      segmentConcurrency: 1,
    });
    expect(others.complete).toBe(false);
    for (const s of [1, 2, 3]) expect((await progressOf(s)).slot?.slot).toBe(1);
    // the resume applies segment 0's chunk again, and the rest of it: every item once
    const resumed = await runBackfill({ ...base, client: clients.ddb });
    expect(resumed.complete).toBe(true);
    const row = (await scanTable(clients.ddb, t.table)).find((i) => i.pk?.S === 'store#ss-0');
    expect(row?.n?.N).toBe(String(ITEMS));
    // two slots' states on the row, whatever the segment count
    expect(Object.keys(row ?? {}).filter((k) => k.startsWith('~'))).toHaveLength(2);
  });

  it('a process that found every slot held never applies under its own state once another recorded a slot', async () => {
    const ITEMS = 6;
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 'slots-race', items, storeCountRollup.compiled);
    const base = {
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup: storeCountRollup,
      segments: 1,
      settleMs: 0,
    };
    // every slot held by segments of other processes
    const prefix = await claimsPrefixOf(clients.ddb, t.table, 'store', 1);
    const full: Record<string, AttributeValue> = { ...slotsKey(prefix) };
    for (let s = 0; s < STATE_SLOTS; s++) {
      full[`g${s}`] = { N: '1' };
      full[`h${s}`] = { N: String(10_000 + s) };
    }
    await clients.ddb.send(new PutItemCommand({ TableName: t.claimTable, Item: full }));
    // A finds none free, journals the chunk under the segment's own state and is held once it read its claims
    const a = holdingClient((command) => command === 'BatchGetItemCommand');
    const runA = runBackfill({ ...base, client: a.client });
    await a.held;
    // a slot is freed; B takes it, records it, stamps the chunk and is held before its rows
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: t.claimTable,
        Key: slotsKey(prefix),
        UpdateExpression: 'REMOVE h0',
      }),
    );
    const b = holdingClient((command, input) => sets(command, input, 'applying'));
    const runB = runBackfill({ ...base, client: b.client });
    await b.held;
    // A goes on: its stamp without a slot is refused, and it applies the chunk under B's slot, to the end
    a.release();
    expect((await runA).complete).toBe(true);
    // B applies the chunk too: the rows hold it already
    b.release();
    expect((await runB).complete).toBe(true);
    const row = (await scanTable(clients.ddb, t.table)).find((i) => i.pk?.S === 'store#ss-0');
    expect(row?.n?.N).toBe(String(ITEMS));
  });

  it("a done segment's chunk applied late counts nothing once the slot's next holder wrote the row", async () => {
    const table = uniqueTableName('slots-late');
    await createAggregateTable(clients.ddb, table);
    const kinds = allTimeRollup('kinds', 'kind', false);
    const applier = new Applier({ client: clients.ddb, table, rollups: [kinds], lateRecords: 'apply' });
    const source = 'backfill:kinds';
    const chunkOf = (segment: number, generation: number, n: number): DynamoDBRecord[] =>
      Array.from({ length: n }, (_, index) =>
        scanRecord(
          { id: { S: `i${segment}-${index}` }, kind: { S: 'k' }, t: { N: String(T0) } },
          { source, chunk: 0, index, timeSeconds: T0 / 1000, offset: slotOffset({ slot: 0, generation }) },
        ),
      );
    const shardId = stateShardId({ slot: 0, generation: 1 }, 0, 2);
    // segment 0 (generation 1) applies its only chunk and is done; segment 1 takes the slot (generation 2)
    await applier.apply({ records: chunkOf(0, 1, 3), shardId });
    await applier.apply({ records: chunkOf(1, 2, 2), shardId });
    // a second process on segment 0 that read its progress before the end applies the chunk now
    await applier.apply({ records: chunkOf(0, 1, 3), shardId });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '5' });
    const rows = await scanTable(clients.ddb, table);
    const row = rows.find((i) => i.pk?.S?.startsWith('kinds')) ?? {};
    expect(Object.keys(row).filter((k) => k.startsWith('~'))).toHaveLength(1); // one state for both segments
    expect(stateBytesOf(row)).toBeLessThan(30);
  });
});

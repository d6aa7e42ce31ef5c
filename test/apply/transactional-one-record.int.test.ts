// One record whose transactional rows (rows past the state budget) do not fit one TransactWriteItems with their
// rollups' watermark items. A MODIFY moving an item between groups touches every row kind of every rollup twice:
// 13 rollups of 4 row kinds make 104 rows, and with one watermark item per rollup 117 items. cutChunk always
// takes at least one record, so that record went out as one transaction of 117 items, refused (ValidationException)
// on every delivery: a blocked shard. The record's rows now go in parts of whole rollups, each part moving its own
// rollups' watermark items; a crash between parts, a redelivery, and a part the store refuses count exactly once.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { countsByPartition, ROLLUPS, ROWS_PER_GROUP, teamStream } from './team-rollups.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** Counts the TransactWriteItems sent and their largest size; fails the chosen ones (1-based) once armed. */
function transactions(client: DynamoDBClient) {
  const seen = { sent: 0, largest: 0, failAt: new Set<number>() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        seen.sent++;
        const n = (args.input as { TransactItems?: unknown[] }).TransactItems?.length ?? 0;
        seen.largest = Math.max(seen.largest, n);
        if (seen.failAt.delete(seen.sent))
          throw Object.assign(new Error('injected crash between two transactions'), {
            name: 'InjectedCrash',
          });
      }
      return next(args);
    },
    { step: 'initialize', name: 'oneRecordTransactions', priority: 'high' },
  );
  return seen;
}

/** The counts when the move of one item from red to blue is applied (`moved`) or not, per rollup. */
function expected(moved: (rollup: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of ROLLUPS) {
    out[`${r.name}#sred`] = moved(r.name) ? '1' : '2';
    out[`${r.name}#sblue`] = moved(r.name) ? '3' : '2';
  }
  return out;
}

/**
 * A table where every row of both teams is transactional for shard-1: shard-0 writes them first, then shard-1's
 * first writes find shard-0's state on them (over a budget of 0) and mark them.
 */
async function transactionalRows(name: string, blueAmount = '1') {
  const table = uniqueTableName(name);
  await createAggregateTable(clients.ddb, table);
  const faulty = testClients();
  const seen = transactions(faulty.ddb);
  const letters: DeadLetter[] = [];
  const applier = new Applier({
    lateRecords: 'apply',
    client: faulty.ddb,
    table,
    rollups: ROLLUPS,
    stateBudgetBytes: 0,
    pruneSampleEvery: 1,
    retry: { maxAttempts: 1 },
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
  const s = teamStream();
  await applier.apply({ records: [s.insert('x', 'red'), s.insert('y', 'blue')], shardId: 'shard-0' });
  await applier.apply({
    records: [s.insert('a', 'red'), s.insert('b', 'blue', blueAmount)],
    shardId: 'shard-1',
  });
  const marked = (await scanTable(clients.ddb, table)).filter((i) => i['~tx'] !== undefined).length;
  expect(marked).toBe(ROLLUPS.length * ROWS_PER_GROUP * 2);
  return { table, faulty, seen, letters, applier, move: s.move };
}

describe('one record whose transactional rows pass 100 items with their watermark items', () => {
  it('is written in parts of whole rollups, within 100 items each, once through redeliveries', async () => {
    const t = await transactionalRows('tx-one-parts');
    try {
      const batch = [t.move('a', 'red', 'blue')];
      const before = t.seen.sent;
      for (let delivery = 0; delivery < 2; delivery++) {
        const out = await t.applier.apply({ records: batch, shardId: 'shard-1' });
        expect(out.poison).toEqual([]);
        // every part, on the first delivery; nothing more on the second
        expect(await countsByPartition(clients.ddb, t.table)).toEqual(expected(() => true));
      }
      // before: one transaction of 117 items (104 rows, 13 watermark items), refused on every delivery
      expect(t.seen.largest).toBeLessThanOrEqual(100);
      expect(t.seen.sent - before).toBe(2);
    } finally {
      t.faulty.destroy();
    }
  });

  it('a crash between two parts, then the redelivery: each part counted once', async () => {
    const t = await transactionalRows('tx-one-crash');
    try {
      const batch = [t.move('a', 'red', 'blue')];
      const before = t.seen.sent;
      t.seen.failAt.add(before + 2); // the record's second part
      await expect(t.applier.apply({ records: batch, shardId: 'shard-1' })).rejects.toThrow(/injected crash/);
      // the first part's rollups hold the move, the others not yet
      const half = await countsByPartition(clients.ddb, t.table);
      const movedFirst = ROLLUPS.filter((r) => half[`${r.name}#sblue`] === '3').map((r): string => r.name);
      expect(movedFirst.length).toBeGreaterThan(0);
      expect(movedFirst.length).toBeLessThan(ROLLUPS.length);
      expect(half).toEqual(expected((r) => movedFirst.includes(r)));
      // a fresh process (nothing remembered) takes the redelivery
      const fresh = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table: t.table,
        rollups: ROLLUPS,
        stateBudgetBytes: 0,
        pruneSampleEvery: 1,
        retry: { maxAttempts: 1 },
      });
      for (let delivery = 0; delivery < 2; delivery++)
        expect((await fresh.apply({ records: batch, shardId: 'shard-1' })).poison).toEqual([]);
      expect(await countsByPartition(clients.ddb, t.table)).toEqual(expected(() => true));
    } finally {
      t.faulty.destroy();
    }
  });

  it('a part the store refuses: dead-lettered, the parts already written keep it and the letter leaves them out', async () => {
    // amounts#sblue holds a 38-digit sum: adding the moved item's amount cannot be stored (NUMBER_UNREPRESENTABLE)
    const big = '9'.repeat(38);
    const t = await transactionalRows('tx-one-refused', big);
    try {
      const batch = [t.move('a', 'red', 'blue', '3')];
      const out = await t.applier.apply({ records: batch, shardId: 'shard-1' });
      expect(out.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
      const pending = new Set((out.poison[0]?.pendingRows ?? []).map((r) => r.pk.split('#')[0]));
      // the refused part's rollups are pending (amounts among them), the rollups of the parts written before are not
      expect(pending.has('amounts')).toBe(true);
      const kept = ROLLUPS.map((r): string => r.name).filter((r) => !pending.has(r));
      expect(kept.length).toBeGreaterThan(0);
      for (const row of out.poison[0]?.pendingRows ?? []) expect(kept).not.toContain(row.pk.split('#')[0]);
      const counts = expected((r) => kept.includes(r));
      expect(await countsByPartition(clients.ddb, t.table)).toEqual(counts);
      expect(t.letters.map((l) => [l.code, l.pendingRows?.length])).toEqual([
        ['NUMBER_UNREPRESENTABLE', (ROLLUPS.length - kept.length) * ROWS_PER_GROUP * 2],
      ]);
      // delivered again: nothing changes, and the letter names the same rows
      const again = await t.applier.apply({ records: batch, shardId: 'shard-1' });
      expect(again.poison.map((p) => p.pendingRows?.length)).toEqual([t.letters[0]?.pendingRows?.length]);
      expect(await countsByPartition(clients.ddb, t.table)).toEqual(counts);
    } finally {
      t.faulty.destroy();
    }
  });
});

// Review s26t (the rebuilt `transaction` strategy): since review s25b a row whose deltas cancel out in a chunk (an
// item inserted and removed, or a MODIFY of attributes no rollup reads: every row of it) is still written in the
// transaction, for its marker: a row the transaction path wrote must be marked, or `row-watermark` (after a switch,
// or a process that has not learnt the row) writes a later redelivery of half the chunk per row and counts it.
// Hypothesis: more is written than needs to be. The rollup's `~wt#` item moving past the chunk is what keeps a
// partial redelivery out of a transactional row; the marker is needed only if the row may not carry it yet. So a
// row the applier knows is marked (it committed a transaction on it, or the store returned it marked) need not be
// written again when its deltas cancel: a MODIFY of unread attributes on hot rows cost each of them twice its size
// in write units, every time. Fixed: such rows are left out of the transaction (their rollup's item still moves).
// Oracle: the counts recomputed from the records, after partial redeliveries under both strategies by appliers
// that know nothing; and the rows each transaction updated.
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { counterCells, isMarked } from '../apply/budget-support.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** The rows (not the `~` items) each TransactWriteItems updated. */
const sent: string[][] = [];
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand') {
      const input = args.input as TransactWriteItemsCommandInput;
      sent.push(
        (input.TransactItems ?? [])
          .map((i) => i.Update?.Key?.pk?.S ?? '')
          .filter((pk) => !pk.startsWith('~')),
      );
    }
    return next(args);
  },
  { step: 'initialize', name: 's26tCancelledRowsSent' },
);

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const a = defineRollup({ name: 'a', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const T = Math.floor(Date.now() / 1000);
const NOW = T * 1000 + 60_000;

type Img = { id: string; g: string; tag?: string };
const image = (i: Img) => ({
  id: { S: i.id },
  g: { S: i.g },
  ...(i.tag === undefined ? {} : { tag: { S: i.tag } }),
});
function record(seq: number, old: Img | undefined, now: Img | undefined): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: old === undefined ? 'INSERT' : now === undefined ? 'REMOVE' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: (old ?? now)?.id as string } },
      ...(old === undefined ? {} : { OldImage: image(old) }),
      ...(now === undefined ? {} : { NewImage: image(now) }),
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: T,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

function applier(table: string, strategy: ExactlyOnceStrategy = 'transaction') {
  return new Applier({
    client: clients.ddb,
    table,
    rollups: [a],
    strategy,
    write: { api: 'update-item' },
    now: () => NOW,
  });
}

const i1 = { id: 'i1', g: 'hot' };
const insertI1 = record(100, undefined, i1);
// MODIFYs of an attribute no rollup reads: every row's deltas cancel
const retag1 = record(200, i1, { ...i1, tag: 'x' });
const retag2 = record(300, { ...i1, tag: 'x' }, { ...i1, tag: 'y' });
// an item inserted and removed in one batch
const insertI2 = record(400, undefined, { id: 'i2', g: 'hot' });
const removeI2 = record(500, { id: 'i2', g: 'hot' }, undefined);

describe('s26t: rows whose deltas cancel out, on the transaction path', () => {
  it('a row the applier knows is marked is not written again; partial redeliveries count nothing', async () => {
    const table = uniqueTableName('s26t-cancel');
    await createAggregateTable(clients.ddb, table);
    const warm = applier(table);
    await warm.apply({ records: [insertI1], shardId: 'S1' }); // writes and marks a#shot
    sent.length = 0;
    const { report } = await warm.apply({ records: [retag1, retag2, insertI2, removeI2], shardId: 'S1' });
    expect(sent).toEqual([[]]); // the rollup's watermark item alone
    expect(report.rowsWritten).toBe(0);
    // what could come again, cut anywhere, under either strategy, to appliers that know nothing
    for (const [strategy, records] of [
      ['row-watermark', [retag1]],
      ['transaction', [insertI2]],
      ['row-watermark', [insertI2]],
      ['row-watermark', [retag2, insertI2]],
    ] as const)
      await applier(table, strategy).apply({ records: [...records], shardId: 'S1' });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'a#shot|n': '1' });
  });

  it('a row the applier does not know is marked is still written, for its marker', async () => {
    const table = uniqueTableName('s26t-cancel-cold');
    await createAggregateTable(clients.ddb, table);
    sent.length = 0;
    await applier(table).apply({ records: [insertI2, removeI2], shardId: 'S1' });
    expect(sent).toEqual([['a#shot']]);
    expect(await isMarked(clients.ddb, table, 'a#shot')).toBe(true);
    // half of the batch again, under row-watermark, to an applier that knows nothing: the marker sends it the
    // transactional way, where the rollup's item is past it
    await applier(table, 'row-watermark').apply({ records: [insertI2], shardId: 'S1' });
    expect(await counterCells(clients.ddb, table)).toEqual({});
  });
});

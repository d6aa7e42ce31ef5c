// A row that packs many cells (minutes in an hour row, several counters each) gathers more counters over a long
// batch than one DynamoDB write can carry: a PartiQL statement over 8,192 characters fails its whole request, an
// UpdateExpression over 4 KB fails the write, on every delivery. The applier applies such a batch in parts, in
// order, each exactly once; the counts stay exact through a redelivery and a failure between the parts, on both
// write paths and the transaction strategy, and no request goes out over a limit.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { expectedCounters as expected, hourOfRecords, NOW, wideRollup as rollup } from './wide-batch.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** The longest statement and expression sent, and how many requests the store refused whole. */
const sent = { statement: 0, expression: 0, refused: 0 };
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as { Statements?: Array<{ Statement?: string }>; UpdateExpression?: string };
    for (const s of input.Statements ?? [])
      sent.statement = Math.max(sent.statement, s.Statement?.length ?? 0);
    if (context.commandName === 'UpdateItemCommand' || context.commandName === 'TransactWriteItemsCommand') {
      const items = (args.input as { TransactItems?: Array<{ Update?: { UpdateExpression?: string } }> })
        .TransactItems;
      for (const e of [input.UpdateExpression, ...(items ?? []).map((t) => t.Update?.UpdateExpression)])
        sent.expression = Math.max(sent.expression, e?.length ?? 0);
    }
    try {
      return await next(args);
    } catch (e) {
      if ((e as Error).name === 'ValidationException') sent.refused++;
      throw e;
    }
  },
  { step: 'initialize', name: 'wideRowsSent' },
);

async function stored(table: string): Promise<Record<string, Record<string, number>>> {
  const rows: Record<string, Record<string, number>> = {};
  for (const item of await scanTable(clients.ddb, table)) {
    if (item.pk?.S?.startsWith('wide#') !== true) continue; // the transaction strategy's shard items
    const counters: Record<string, number> = {};
    for (const [name, v] of Object.entries(item))
      if (/^[a-zA-Z]+(_\d+)?$/.test(name) && !['pk', 'sk', 'updatedAt', 'ttl'].includes(name))
        counters[name] = Number(v.N);
    rows[String(item.pk?.S)] = counters;
  }
  return rows;
}

const paths: Array<[string, Partial<ApplierOptions>]> = [
  ['PartiQL', {}],
  ['UpdateItem', { write: { api: 'update-item' } }],
  ['the transaction strategy', { strategy: 'transaction' }],
];

describe('rows with more counters than one write carries', () => {
  it.each(paths)('are written in parts, exactly once, on %s', async (_, options) => {
    const table = uniqueTableName('wide');
    await createAggregateTable(clients.ddb, table);
    const applier = (client: DynamoDBClient = clients.ddb) =>
      new Applier({ client, table, rollups: [rollup], now: () => NOW, ...options });
    const records = hourOfRecords();
    Object.assign(sent, { statement: 0, expression: 0, refused: 0 });
    // a failure after the first part's writes: the batch fails, and its redelivery finishes it
    let writes = 0;
    const failing = heldClient(clients.ddb, async (command) => {
      const name = (command as { constructor: { name: string } }).constructor.name;
      if (!/BatchExecuteStatement|UpdateItem|TransactWriteItems/.test(name)) return;
      if (++writes === 3) throw Object.assign(new Error('connection reset'), { name: 'Error' });
    });
    await expect(applier(failing).apply({ records, shardId: 'shardId-1' })).rejects.toThrow();
    const first = await applier().apply({ records, shardId: 'shardId-1' });
    expect(first.poison).toEqual([]);
    expect(await stored(table)).toEqual(expected(records));
    // a redelivery of the whole batch by a warm applier changes nothing
    const again = applier();
    await again.apply({ records, shardId: 'shardId-1' });
    await again.apply({ records, shardId: 'shardId-1' });
    expect(await stored(table)).toEqual(expected(records));
    // a later batch of the same rows (now known rows: UPDATEs, not INSERTs)
    const later = hourOfRecords().map((r, i) => ({
      ...r,
      dynamodb: { ...r.dynamodb, SequenceNumber: String(5000 + i) },
    }));
    await again.apply({ records: later, shardId: 'shardId-1' });
    expect(await stored(table)).toEqual(expected([...records, ...later]));
    expect(sent.refused).toBe(0);
    expect(sent.statement).toBeLessThanOrEqual(8192);
    expect(sent.expression).toBeLessThanOrEqual(4096);
  });
});

describe('a rollup one record of which could not be written in one write', () => {
  it('is refused when it is defined', () => {
    const measures = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}`, count()]));
    expect(() => defineRollup({ name: 'toowide', groupBy: 'g', granularities: ['all'], measures })).toThrow(
      /one record adds 101 counters to a 'all' row/,
    );
    // 100 short ones fit; long names fit fewer
    defineRollup({
      name: 'wideok',
      groupBy: 'g',
      granularities: ['all'],
      measures: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, count()])),
    });
    const long = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`m${String(i).padStart(31, 'x')}`, count()]),
    );
    expect(() =>
      defineRollup({ name: 'long', groupBy: 'g', granularities: ['minute', 'hour'], measures: long }),
    ).toThrow(expect.objectContaining({ code: 'DEFINITION_INVALID' }));
  });
});

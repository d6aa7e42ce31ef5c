// The versioned write side carries `apply.write` to its appliers: `dynotally worker` writes through it with the
// configuration's `write: { api }`, which the plain applier honoured and the versioned side used to drop.
import { afterAll, describe, expect, it } from 'vitest';
import { insertRecords } from '../../../../test/apply/insert-record.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { createAggregateTable } from '../tables/index.ts';
import { createVersionedWriteSide } from './versioned-write-side.ts';

describe('createVersionedWriteSide apply.write', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it.each([
    ['update-item', 'UpdateItemCommand'],
    ['partiql', 'BatchExecuteStatementCommand'],
  ] as const)('write: { api: %s } sends the rows by %s', { timeout: 120_000 }, async (api, command) => {
    await ddbReady();
    const table = uniqueTableName(`vw-${api}`);
    await createAggregateTable(clients.ddb, table);
    const sent: string[] = [];
    const client = testClients().ddb;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        // the control item's registration is an UpdateItem too: count the row writes only
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
        if (!key?.startsWith('~ctl#')) sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    try {
      const side = createVersionedWriteSide({
        client,
        table,
        rollups: [storeCountRollup],
        apply: { lateRecords: 'apply', write: { api } },
      });
      const insert = insertRecords();
      const records = ['a', 'b', 'c'].map((id) =>
        insert(id, { storeId: { S: `s-${id}` }, t: { N: String(Date.UTC(2026, 10, 1)) } }),
      );
      await side.apply({ records, shardId: 'shard-1' });
      const rowWrites = sent.filter((c) => c === 'UpdateItemCommand' || c === 'BatchExecuteStatementCommand');
      expect(new Set(rowWrites)).toEqual(new Set([command]));
      const rows = (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.startsWith('store#'));
      expect(rows.map((r) => [r.pk?.S, r.n?.N]).sort()).toEqual([
        ['store#ss-a', '1'],
        ['store#ss-b', '1'],
        ['store#ss-c', '1'],
      ]);
    } finally {
      client.destroy();
    }
  });
});

// A version under backfill is built with one claim table: the first process that claims for it records the table in
// the version's entry, and a stream side or a backfill given another is refused (CONFIG_INVALID) before it claims.
// In two tables neither sees the other's claims, so every item changed during the build would be counted twice.
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { insertRecords } from '../../../../test/apply/insert-record.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { runBackfill } from '../backfill/index.ts';
import { defineRollup, sum } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { createAggregateTable, createClaimTable } from '../tables/index.ts';
import { readControl } from './control-store.ts';
import { createVersionedWriteSide } from './versioned-write-side.ts';

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
});

async function rejection(p: Promise<unknown>): Promise<DynotallyError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof DynotallyError)) throw new Error(`expected a DynotallyError, got ${String(e)}`);
  return e;
}

describe('the claim table of a version under backfill', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('is the first claimer’s: a stream side or a backfill given another is refused', {
    timeout: 240_000,
  }, async () => {
    await ddbReady();
    const table = uniqueTableName('ctb');
    const [a, b] = [uniqueTableName('ctb-a'), uniqueTableName('ctb-b')];
    await createAggregateTable(clients.ddb, table);
    await Promise.all([createClaimTable(clients.ddb, a), createClaimTable(clients.ddb, b)]);
    const insert = insertRecords();
    const batch = (id: string) => [
      insert(id, { storeId: { S: 's-1' }, t: { N: String(Date.UTC(2026, 10, 1)) }, q: { N: '2' } }),
    ];
    await createVersionedWriteSide({ client: clients.ddb, table, rollups: [storeCountRollup] }).apply({
      records: batch('x'),
      shardId: 'shard-1',
    });
    // version 2 building; the first side to claim for it binds it to table a
    const sideA = createVersionedWriteSide({ client: clients.ddb, table, claimTable: a, rollups: [changed] });
    await sideA.apply({ records: batch('y'), shardId: 'shard-1' });
    const v2 = (await readControl(clients.ddb, table, 'store'))?.versions.find((v) => v.version === 2);
    expect({ state: v2?.state, claimTable: v2?.claimTable }).toEqual({ state: 'building', claimTable: a });
    await sideA.apply({ records: batch('z'), shardId: 'shard-1' }); // the same table again: accepted

    const sideB = createVersionedWriteSide({ client: clients.ddb, table, claimTable: b, rollups: [changed] });
    const e = await rejection(sideB.apply({ records: batch('w'), shardId: 'shard-2' }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`is built with the claims in table '${a}'`);

    const source = uniqueTableName('ctb-src');
    await clients.ddb.send(
      new CreateTableCommand({
        TableName: source,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const fill = (claimTable: string) =>
      runBackfill({ client: clients.ddb, source, table, claimTable, rollup: changed, settleMs: 0 });
    const refused = await rejection(fill(b));
    expect(refused.code).toBe('CONFIG_INVALID');
  });
});

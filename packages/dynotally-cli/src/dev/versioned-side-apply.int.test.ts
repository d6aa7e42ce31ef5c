// `dev --scenarios none` writes with the configuration's applier settings, as `dynotally worker` does: `write.api`
// chooses PartiQL batches or UpdateItem, and `strategy: 'transaction'` (which rollup versions cannot use) is refused
// before anything is written. It used to ignore `mode`, `strategy` and `write` and write with the defaults.
// Break-check: with `apply` not passed on, the update-item case sends PartiQL batches and the transaction case starts.
import { BatchExecuteStatementCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { stackTables, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { heldClient } from '../../../../test/support/held-client.ts';
import { storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { storeInsertRecord } from '../../../../test/support/store-count-stream.ts';
import { isDynotallyError } from '../../../dynotally/src/errors/index.ts';
import { ensureTables } from '../../../dynotally/src/tables/index.ts';
import { devVersionedSide } from './versioned-side.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** The INSERT record of order `i` of store s-0. */
const insert = (i: number): DynamoDBRecord => storeInsertRecord(i, Date.now());

/** A dev write side over fresh tables with `apply`, and the names of the requests it sent. */
async function devSide(prefix: string, apply?: Parameters<typeof devVersionedSide>[1]['apply']) {
  const tables = { ...stackTables(prefix), claims: uniqueTableName(`${prefix}-claims`) };
  await ensureTables(clients.ddb, tables);
  const sent: string[] = [];
  const client = heldClient(clients.ddb, async (command) => {
    sent.push((command as object).constructor.name);
  });
  const { side } = await devVersionedSide(client, {
    rollups: [storeCountRollup],
    alsoWrite: [],
    tables,
    log: () => {},
    onRefusal: () => {},
    ...(apply === undefined ? {} : { apply }),
  });
  return { side, sent };
}

describe('dev --scenarios none: the configuration applier settings', () => {
  it('writes through UpdateItem with write.api update-item, and PartiQL batches by default', {
    timeout: 300_000,
  }, async () => {
    const plain = await devSide('dvsa-partiql');
    plain.sent.length = 0;
    await plain.side.apply({ records: [insert(1)], shardId: 'shardId-1' });
    expect(plain.sent).toContain(BatchExecuteStatementCommand.name);

    const updates = await devSide('dvsa-update', { mode: 'exactly-once', write: { api: 'update-item' } });
    updates.sent.length = 0;
    await updates.side.apply({ records: [insert(1)], shardId: 'shardId-1' });
    expect(updates.sent).toContain(UpdateItemCommand.name);
    expect(updates.sent).not.toContain(BatchExecuteStatementCommand.name);
  });

  it("refuses strategy 'transaction' before anything is written", { timeout: 300_000 }, async () => {
    const error = await devSide('dvsa-tx', { mode: 'exactly-once', strategy: 'transaction' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDynotallyError(error, 'CONFIG_INVALID'), String(error)).toBe(true);
  });
});

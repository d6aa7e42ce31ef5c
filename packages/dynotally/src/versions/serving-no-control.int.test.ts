// createServingQueryClient over a table with no control item (an unversioned stream side wrote it, or no stream side
// registered its definitions yet): its rows are version 1's, written by whichever definition was deployed. A query
// naming a definition used to read version 1 with that definition whatever it was, so a client given the old and the
// new definition of a rollup answered a query of the new one from the old one's rows (its new measures read 0) and
// no error said so. Now a definition is read as version 1 only when it is the one definition of its rollup the
// client was given (as a query by name already was); otherwise VERSION_UNKNOWN says why.
import { afterAll, describe, expect, it } from 'vitest';
import { insertRecords } from '../../../../test/apply/insert-record.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { Applier } from '../apply/index.ts';
import { defineRollup, sum } from '../definition/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { readControl } from './control-store.ts';
import { createServingQueryClient } from './serving-query-client.ts';

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
});

const errorOf = async (p: Promise<unknown> | (() => unknown)): Promise<unknown> => {
  try {
    await (typeof p === 'function' ? p() : p);
    return undefined;
  } catch (e) {
    return e;
  }
};

describe('createServingQueryClient on a table with no control item', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('reads a definition as version 1 only when it is the one definition of its rollup it was given', {
    timeout: 240_000,
  }, async () => {
    await ddbReady();
    const table = uniqueTableName('serving-no-control');
    await createAggregateTable(clients.ddb, table);
    // an unversioned stream side (a plain Applier, as createStreamHandler uses) counts two orders of s-1
    const insert = insertRecords();
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [storeCountRollup],
      lateRecords: 'apply',
    });
    await applier.apply({
      records: ['a', 'b'].map((id) => insert(id, { storeId: { S: 's-1' }, q: { N: '5' } })),
      shardId: 'shard-1',
    });
    expect(await readControl(clients.ddb, table, 'store')).toBeUndefined();
    const group = { storeId: 's-1' };

    // one definition given: its rows are the rollup's own, by name or by definition
    const one = createServingQueryClient({ client: clients.ddb, table, rollups: [storeCountRollup] });
    expect((await one.total('store', group, 'all')).values).toEqual({ n: 2 });
    expect((await one.total(storeCountRollup, group, 'all')).values).toEqual({ n: 2 });
    // a definition the client was not given cannot be told from the one that wrote the rows
    const notGiven = await errorOf(one.total(changed as never, group as never, 'all'));
    expect(notGiven).toMatchObject({ code: 'VERSION_UNKNOWN', details: { rollup: 'store' } });
    expect((notGiven as Error).message).toMatch(/no control item/);
    expect((notGiven as Error).message).toMatch(/not the definition .* given/);

    // two definitions given: which one wrote the rows is unknown, whichever is named (by name, as before)
    const both = createServingQueryClient({
      client: clients.ddb,
      table,
      rollups: [storeCountRollup, changed],
    });
    for (const ref of [changed, storeCountRollup, 'store'] as const) {
      const e = await errorOf(both.total(ref as never, group as never, 'all'));
      expect(e, String(typeof ref === 'string' ? ref : ref.compiled.fingerprint)).toMatchObject({
        code: 'VERSION_UNKNOWN',
        details: { rollup: 'store', definitions: 2 },
      });
      expect((e as Error).message).toMatch(/createVersionedWriteSide/);
    }

    // explain before any control read: with one definition, version 1 (as documented); with two, a clear error
    expect(one.explain.total(storeCountRollup, group, 'all')).toBeDefined();
    const fresh = createServingQueryClient({
      client: clients.ddb,
      table,
      rollups: [storeCountRollup, changed],
    });
    const unread = await errorOf(() => fresh.explain.total(changed, group, 'all'));
    expect(unread).toMatchObject({ code: 'VERSION_UNKNOWN' });
    expect((unread as Error).message).toMatch(/refresh\(\)/);
  });
});

// A shard's children are read only once it is finished (Lambda and the worker both read a parent first), so
// a batch may name its shard's ancestors (`finishedShards`) and its writes remove their states from every row
// they touch: on both write paths, and never the writing shard's own state. The counts stay those of the
// records, and a redelivery of the child's own records still counts nothing twice.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import type { WriteApi } from '../../packages/dynotally/src/apply/write-options.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { STREAM_ARN, simulate } from '../support/stream-sim.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());
/** Commands sent, by name (the PartiQL path must not fall back to UpdateItem for rows that drop states). */
const sent = new Map<string, number>();
clients.ddb.middlewareStack.add(
  (next, context) => (args) => {
    sent.set(context.commandName ?? '', (sent.get(context.commandName ?? '') ?? 0) + 1);
    return next(args);
  },
  { step: 'initialize', name: 'countCommands' },
);

const rollup = defineRollup({
  name: 'f',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const T = Date.UTC(2026, 10, 1);
// eight inserts of one group: one all-time row
const { records } = simulate(
  Array.from({ length: 8 }, (_, i) => ({
    kind: 'put' as const,
    key: `k${i}`,
    item: { g: { S: 'hot' }, t: { N: String(T + i * 1000) } },
  })),
);

describe.each<WriteApi>(['partiql', 'update-item'])('finished shards, %s', (api) => {
  it("removes the ancestors' states from the rows the child writes, and keeps counting exactly once", async () => {
    const table = uniqueTableName(`finished-${api}`);
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [rollup],
      write: { api },
      now: () => T + 60_000,
    });
    const row = async () => {
      const items = await scanTable(clients.ddb, table);
      expect(items).toHaveLength(1);
      return items[0] as Record<string, AttributeValue>;
    };
    // grandparent, parent, then the child twice (so the child's second write is an UPDATE of a known row)
    const shards = ['shardId-g0', 'shardId-g1', 'shardId-g2'];
    await applier.apply({ records: records.slice(0, 2), shardId: 'shardId-g0' });
    await applier.apply({ records: records.slice(2, 4), shardId: 'shardId-g1' });
    const states = shards.map((s) => shardStateAttrs(STREAM_ARN, s).attr);
    expect(Object.keys(await row())).toEqual(expect.arrayContaining(states.slice(0, 2)));
    await applier.apply({ records: records.slice(4, 6), shardId: 'shardId-g2' });
    sent.clear();
    await applier.apply({
      records: records.slice(6, 8),
      shardId: 'shardId-g2',
      finishedShards: ['shardId-g1', 'shardId-g0', 'shardId-g2'], // its own id is ignored
    });
    // the states go in the row's one statement (PartiQL takes one path per REMOVE clause; a list is refused as
    // malformed, which cost an UpdateItem and, wrongly, the applier's use of if_not_exists)
    if (api === 'partiql') {
      expect(sent.get('BatchExecuteStatementCommand')).toBe(1);
      expect(sent.get('UpdateItemCommand')).toBeUndefined();
    }
    const after = await row();
    expect(after.n).toEqual({ N: '8' });
    expect(Object.keys(after).filter((a) => a.startsWith('~'))).toEqual([states[2]]);
    // the child's records again, cut differently: nothing counts twice
    await applier.apply({
      records: records.slice(5, 8),
      shardId: 'shardId-g2',
      finishedShards: ['shardId-g1', 'shardId-g0'],
    });
    expect((await row()).n).toEqual({ N: '8' });
  });
});

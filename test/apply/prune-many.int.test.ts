// A row idle past the redelivery horizon can hold the stale states of hundreds of shards. The write that prunes
// them conditions each on its value (`#pN = :pN AND …`) and removes it: all of them in one write would pass
// DynamoDB's 4 KB expression limit (and its 300 operators) and fail on every delivery. A write prunes at most
// MAX_PRUNED_PER_WRITE of them; the rest go with the row's next writes, and counts stay exact.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { MAX_PRUNED_PER_WRITE } from '../../packages/dynotally/src/apply/prune-hints.ts';
import { encodeShardState, shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const rollup = defineRollup({ name: 'hot', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const NOW = 1_763_800_000_000 + 3 * 86_400_000; // three days after the records: every old state is stale
const STALE = 300;

describe('a row holding hundreds of stale shard states', () => {
  it.each([
    // past the state budget (2 KB): the row moves to the per-shard transaction path, which prunes
    { api: 'partiql' as const, stateBudgetBytes: undefined },
    { api: 'update-item' as const, stateBudgetBytes: undefined },
    // a budget the row stays under: its own writes prune
    { api: 'update-item' as const, stateBudgetBytes: 300_000 },
  ])(
    'is pruned a bounded number at a time, never failing a write ($api, state budget $stateBudgetBytes)',
    async ({ api, stateBudgetBytes }) => {
      const table = uniqueTableName('prune-many');
      await createAggregateTable(clients.ddb, table);
      const insert = insertRecords();
      const applier = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [rollup],
        now: () => NOW,
        pruneSampleEvery: 1,
        write: { api },
        ...(stateBudgetBytes === undefined ? {} : { stateBudgetBytes }),
      });
      const batch = () => [insert(`r${Math.random()}`, { g: { S: 'g1' } })];
      await applier.apply({ records: batch(), shardId: 'shardId-new' });
      // the row as 300 shards left it three days ago
      const [fresh] = await scanTable(clients.ddb, table);
      const names: Record<string, string> = {};
      for (let from = 0; from < STALE; from += 100) {
        const part: Record<string, string> = {};
        const values: Record<string, { N: string }> = {};
        const set: string[] = [];
        for (let i = from; i < from + 100; i++) {
          part[`#s${i}`] = shardStateAttrs(STREAM, `shardId-old-${i}`).attr;
          values[`:s${i}`] = encodeShardState(String(100 + i).padStart(40, '0'), NOW - 3 * 86_400_000) as {
            N: string;
          };
          set.push(`#s${i} = :s${i}`);
        }
        Object.assign(names, part);
        await clients.ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: fresh?.pk as { S: string }, sk: fresh?.sk as { S: string } },
            UpdateExpression: `SET ${set.join(', ')}`,
            ExpressionAttributeNames: part,
            ExpressionAttributeValues: values,
          }),
        );
      }
      // the row itself (a row past the state budget moves to the per-shard transaction path, whose watermark
      // items share the table)
      const theRow = async () =>
        (await scanTable(clients.ddb, table)).find(
          (it) => it.pk?.S === fresh?.pk?.S && it.sk?.S === fresh?.sk?.S,
        );
      const stale = async () => {
        const row = await theRow();
        return Object.keys(row ?? {}).filter((a) => Object.values(names).includes(a)).length;
      };
      expect(await stale()).toBe(STALE);
      // each batch learns the row's states (sampled) and prunes what it learnt before
      const left: number[] = [];
      for (let b = 0; b < 14; b++) {
        await applier.apply({ records: batch(), shardId: 'shardId-new' });
        left.push(await stale());
      }
      // never more than a bounded number a write (the first batch learns, the ones after prune), and all in the end
      let before = STALE;
      for (const n of left) {
        expect(before - n).toBeLessThanOrEqual(MAX_PRUNED_PER_WRITE);
        before = n;
      }
      expect(left.at(-1)).toBe(0);
      expect((await theRow())?.n).toEqual({ N: '15' });
    },
  );
});

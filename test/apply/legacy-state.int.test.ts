// Rows written by dynotally 0.2 carry each shard's state as `w_<12 hex>` = '<40 digits>|<epoch s>'. The compact
// state (`~…` numbers) must honour them: a redelivery against such a row counts nothing twice, on both write
// paths, and an UpdateItem write moves the state to the compact form.
import { type AttributeValue, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeShardState, shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import { watermarkValue } from '../../packages/dynotally/src/apply/watermark-attr.ts';
import type { WriteApi } from '../../packages/dynotally/src/apply/write-options.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  isBookkeeping,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { mixedOps, ORACLE, run } from './workload.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

let pipeline: Pipeline;
let shard: ShardStream;
let expected: Map<string, string>;

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'legacy');
  await run(pipeline, mixedOps(33, 0.5));
  const shards = await pipeline.readStream();
  expect(shards).toHaveLength(1);
  shard = shards[0] as ShardStream;
  expected = expectedCells(Object.values(ORACLE), replay(shards));
});

/** Rewrites every compact shard state of the table into the 0.2 form, as if 0.2 had written the rows. */
async function toLegacy(table: string): Promise<number> {
  const attrs = shardStateAttrs(pipeline.streamArn, shard.shardId);
  let n = 0;
  for (const item of await scanTable(clients.ddb, table)) {
    if (isBookkeeping(item)) continue;
    const state = decodeShardState(item[attrs.attr] as AttributeValue | undefined);
    if (state === undefined) continue;
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: item.pk as AttributeValue, sk: item.sk as AttributeValue },
        UpdateExpression: 'SET #l = :l REMOVE #c',
        ExpressionAttributeNames: { '#l': attrs.legacy, '#c': attrs.attr },
        ExpressionAttributeValues: { ':l': { S: watermarkValue(state.seq, state.epochSeconds * 1000 - 1) } },
      }),
    );
    n++;
  }
  return n;
}

describe.each<WriteApi>(['partiql', 'update-item'])('rows written by 0.2 (%s)', (api) => {
  it('a redelivery against legacy watermarks counts nothing twice, and later records still count', async () => {
    const table = await pipeline.newAggregateTable(`legacy-${api}`);
    const handler = pipeline.handler({ table, write: { api } });
    const n = shard.records.length;
    const half = Math.floor(n / 2);
    const ok = (responses: Array<{ batchItemFailures: unknown[] }>) => {
      for (const r of responses) expect(r.batchItemFailures).toEqual([]);
    };
    ok(await deliver(handler, shard, { to: half, batchSize: 50 }));
    expect(await toLegacy(table)).toBeGreaterThan(0);
    const attrs = shardStateAttrs(pipeline.streamArn, shard.shardId);
    expect((await scanTable(clients.ddb, table)).some((r) => r[attrs.attr] !== undefined)).toBe(false);
    // the first half again (cut differently: rows are re-folded inside their range), then everything
    ok(await deliver(pipeline.handler({ table, write: { api } }), shard, { to: half, batchSize: 37 }));
    ok(await deliver(pipeline.handler({ table, write: { api } }), shard, { batchSize: 60 }));
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
    const rows = (await scanTable(clients.ddb, table)).filter((r) => !isBookkeeping(r));
    expect(rows.some((r) => r[attrs.attr]?.N !== undefined)).toBe(true);
    if (api === 'update-item') {
      // an UpdateItem write moves the state to the compact form: no row keeps both
      for (const r of rows) expect(r[attrs.attr] !== undefined && r[attrs.legacy] !== undefined).toBe(false);
    }
  });
});

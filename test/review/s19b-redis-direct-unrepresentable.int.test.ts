// Review s19b (Redis buffer, 38 digits under `onRedisDown: 'direct'`): session 19 makes the buffered path
// dead-letter a record that cannot be added as NUMBER_UNREPRESENTABLE "as direct mode does". But when Redis is
// unreachable and the applier writes the batch through its fallback (`applyDirect` → the inner direct `Applier`),
// that inner applier is built without the buffered applier's `deadLetter`, and `applyDirect` keeps only its
// `report` (`const { report } = await this.direct.apply(...)`): the NUMBER_UNREPRESENTABLE poison the direct
// applier finds (the row refused by DynamoDB, isolated record by record) is dropped. It is neither in the buffered
// result's `poison` (which `result()` builds from the fold's poison and the Redis path's `refused` only) nor sent to
// the sink, and the report's `poison` count stays 0: the record is not counted and no one ever learns of it.
// Observed: `poison: []`, `poisonCount: 0`, no letter; DynamoDB holds 1e20 for 'big' (1e-19 silently gone).
// Expected: the 1e-19 record is NUMBER_UNREPRESENTABLE poison, in `poison` and at the sink, as in the Redis path.
// Suggested fix: in `applyDirect`, take the inner result's `poison` (minus the fold poison the buffered applier
// already reported: same records, same codes), add it to the batch's poison and report, and send it to
// `deadLetter` — or give the inner Applier the sink and merge its poison into the result.
// Fixed (session 19): `applyDirect` keeps the inner applier's poison, leaves out the fold poison the buffered
// applier reported already, and adds the rest (with its index in the delivered batch) to the batch's poison, its
// report and the dead-letter sink, after the direct writes and the fence's completion, as the Redis path does.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { amountRecords, amounts } from '../redis/amounts.ts';
import { failFastRedis } from '../redis/fail-fast-redis.ts';
import { scanItems } from '../redis/harness.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const rec = amountRecords(START);

describe('review s19b: a sum past 38 digits written through the direct fallback', () => {
  it('the record that cannot be added is poison and reaches the sink', async () => {
    const { table, common } = await env.fixture('s19bdir', [amounts], START);
    // Redis unreachable: commands fail at once (no offline queue, never connected)
    const down = failFastRedis(env.server.url);
    const letters: DeadLetter[] = [];
    const applier = createBufferedApplier({
      ...common,
      redis: down,
      onRedisDown: 'direct',
      deadLetter: { send: async (l) => void letters.push(...l) },
    });
    const r = await applier.apply({
      records: [rec('big', '1e20'), rec('big', '1e-19'), rec('other', '1')],
      shardId: 's-1',
    });
    down.disconnect();
    const big = (await scanItems(env.ddb, table)).find(
      (i) => i.pk?.S === 'amounts#sbig' && i.sk?.S === 'ALL',
    );
    // observed: { mode: 'direct', poison: [], poisonCount: 0, letters: [], big: '1/100000000000000000000' }
    expect({
      mode: r.buffer.mode,
      poison: r.poison.map((p) => p.error.code),
      poisonCount: r.report.poison,
      letters: letters.map((l) => `${l.code} ${l.record?.dynamodb?.NewImage?.amount?.N}`),
      big: `${big?.n?.N}/${big?.total?.N}`,
    }).toEqual({
      mode: 'direct',
      poison: ['NUMBER_UNREPRESENTABLE'],
      poisonCount: 1,
      letters: ['NUMBER_UNREPRESENTABLE 1e-19'],
      big: '1/100000000000000000000',
    });
  });

  it('a redelivery after a failed send reports it again, and the fold poison once', async () => {
    const { common } = await env.fixture('s19bdir2', [amounts], START);
    const down = failFastRedis(env.server.url);
    let sinkUp = false;
    const letters: string[] = [];
    const applier = createBufferedApplier({
      ...common,
      redis: down,
      onRedisDown: 'direct',
      deadLetter: {
        send: async (l) => {
          if (!sinkUp) throw new Error('dead-letter table throttled');
          for (const x of l) letters.push(x.code);
        },
      },
    });
    const bad = rec('big', '1');
    const image = bad.dynamodb?.NewImage as NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;
    image.amount = { S: 'one' }; // not a number: poison at fold time
    const records = [rec('big', '1e20'), rec('big', '1e-19'), bad, rec('other', '1')];
    await expect(applier.apply({ records, shardId: 's-1' })).rejects.toThrow(/throttled/);
    sinkUp = true;
    const r = await applier.apply({ records, shardId: 's-1' });
    down.disconnect();
    expect({
      poison: r.poison.map((p) => `${p.index} ${p.error.code}`).sort(),
      poisonCount: r.report.poison,
      letters: [...letters].sort(),
    }).toEqual({
      // `bad` was made first: index 0 in sequence order
      poison: ['0 VALUE_INVALID', '2 NUMBER_UNREPRESENTABLE'],
      poisonCount: 2,
      letters: ['NUMBER_UNREPRESENTABLE', 'VALUE_INVALID'],
    });
  });
});

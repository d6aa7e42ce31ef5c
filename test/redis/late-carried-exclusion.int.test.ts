// A record the Redis buffer's direct fallback (`onRedisDown: 'direct'`) refused for 38 digits, whose take-back was
// cut short, redelivered late. The inner Applier records the refusal as an exclusion in DynamoDB, then takes the
// record back out of every other row the batch gave it (kinds); a crash between the two leaves it counted on kinds,
// the shard's fence open, and the exclusion carried for the next delivery to settle. The buffered applier splits
// late records off before anything reaches its inner Applier, so a redelivery more than 24 h 30 min after the record
// was written used to dead-letter it as RECORD_TOO_OLD, and nothing took it back from kinds (the Applier's own late
// split settles such a record: test/review/s28r-late-carried-exclusion.int.test.ts). The buffered late split now
// reads the carried exclusions too (`lateToSettle`, shared with the Applier): a late record with one, less than
// 24 h 40 min old (the horizon, 25 h, until review s35r: a take-back needs the row's shard state, which may be pruned
// from 24 h 45 min on), stays in the batch and is settled by the direct path, once.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { closedPort } from '../support/closed-port.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { failFastRedis } from './fail-fast-redis.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const env = useBufferEnv();
const opened: Array<{ destroy(): void }> = [];
afterAll(() => {
  for (const c of opened) c.destroy();
});

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Input = { ExpressionAttributeNames?: Record<string, string> };
/** A client whose next take-back (an UpdateItem setting an `x_…` marker) fails like a crash, once armed. */
function crashingOnTakeBack(): { client: DynamoDBClient; arm: () => void; injected: () => number } {
  const c = testClients();
  opened.push(c);
  let armed = false;
  let injected = 0;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const names = Object.values((args.input as Input).ExpressionAttributeNames ?? {});
      if (armed && context.commandName === 'UpdateItemCommand' && names.some((n) => /^x_/.test(n))) {
        armed = false;
        injected++;
        throw Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'lateCarriedCrash', priority: 'high' },
  );
  return { client: c.ddb, arm: () => (armed = true), injected: () => injected };
}

/**
 * a (1e20) counted, b (1e-19) refused with its take-back cut short, then b redelivered at each of `redeliveries`
 * (clock times): the kinds count after each, and every letter's code.
 */
async function scenario(redeliveries: readonly number[]) {
  const { table, clock, common } = await env.fixture('latex', [amounts, kinds], T + HOUR);
  const crash = crashingOnTakeBack();
  // Redis unreachable (nothing listens there): every batch goes straight to DynamoDB through the fallback's fence
  const down = failFastRedis(`redis://127.0.0.1:${await closedPort()}`);
  const letters: DeadLetter[] = [];
  const applier = createBufferedApplier({
    ...common,
    redis: down,
    client: crash.client,
    onRedisDown: 'direct',
    write: { api: 'update-item' },
    retry: { maxAttempts: 1 },
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
  const kindsCount = async () => (await scanTable(env.ddb, table)).find((i) => i.pk?.S === 'kinds#sk')?.n?.N;
  try {
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string): DynamoDBRecord =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    const run = (records: DynamoDBRecord[]) => applier.apply({ records, shardId: 'shard-1' });

    expect((await run([insert('a', 'big', '1e20')])).buffer.mode).toBe('direct');
    const refused = [insert('b', 'big', '1e-19')];
    // delivered 24 h 20 min after it was written (the shard a day behind): on time, but its take-back fails
    clock.set(T + 24 * HOUR + 20 * MINUTE);
    crash.arm();
    await expect(run(refused)).rejects.toThrow(/injected crash/);
    expect(crash.injected()).toBe(1);
    expect(await kindsCount()).toBe('2'); // b is on kinds until it is taken back
    const after: Array<string | undefined> = [];
    for (const at of redeliveries) {
      clock.set(at);
      await run(refused);
      after.push(await kindsCount());
    }
    return { kinds: after, codes: letters.map((l) => l.code) };
  } finally {
    down.disconnect();
  }
}

describe('the Redis buffer: a refused record whose take-back was cut short, redelivered late', () => {
  it('is settled by the direct path (taken back from kinds once, NUMBER_UNREPRESENTABLE), redelivered again too', async () => {
    expect(await scenario([T + 24 * HOUR + 33 * MINUTE, T + 24 * HOUR + 38 * MINUTE])).toEqual({
      kinds: ['1', '1'],
      codes: ['NUMBER_UNREPRESENTABLE', 'NUMBER_UNREPRESENTABLE'],
    });
  });

  // the limit the Applier keeps too: past 24 h 40 min no take-back is trusted to the row's state
  it('past the settle window: RECORD_TOO_OLD, kinds keeps it', async () => {
    expect(await scenario([T + 25 * HOUR + 10 * MINUTE])).toEqual({
      kinds: ['2'],
      codes: ['RECORD_TOO_OLD'],
    });
  });
});

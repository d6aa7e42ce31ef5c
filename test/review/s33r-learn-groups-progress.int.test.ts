// Review s33r (helper-156; fixed by helper-158, the probe now passes): a cold batch's group reads are all-or-nothing, so a batch that cannot finish them never
// makes progress.
//
// DEFECT: learnGroups (packages/dynotally/src/redis/known-groups.ts:90-116) first reads EVERY unknown group of the
// batch (one strongly consistent Query each, mapLimit) and only then records hints and `*`. When any read fails
// (throttling past withRetry on a provisioned table, a Lambda timeout, a network error) the groups already read
// are not recorded, and the batch's retry reads all of them again. A cold batch of many groups (a Redis that lost its
// keys, a new buffer, groups quiet for keyTtlMs: 10,000 distinct groups took 24 s of reads on DynamoDB Local here,
// 10,000 read units on DynamoDB) that cannot finish its reads in one attempt spends them again on every retry and
// never buffers: the shard is stuck while each attempt costs N more read units.
// Suggested fix: record each chunk of groups as soon as its reads finish (HINTS_SCRIPT already takes whole groups
// per call), so a retry reads only the groups not yet known; optionally bound the reads per attempt.
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const GROUPS = 200;

const money = defineRollup({
  name: 'money',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), total: sum('amount') },
});

/** The fixture's client counting its Query requests; from query number `failFrom` on, each fails. */
function queryClient(base: DynamoDBClient, failFrom = Number.POSITIVE_INFINITY) {
  let queries = 0;
  const send = base.send.bind(base) as (c: unknown) => Promise<unknown>;
  const client = new Proxy(base, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown) => {
        if (!(command instanceof QueryCommand)) return send(command);
        queries++;
        if (queries >= failFrom)
          throw new Error('s33r: the read failed (throttled past its retries, or timed out)');
        return send(command);
      };
    },
  }) as DynamoDBClient;
  return { client, queries: () => queries };
}

describe('s33r: a cold batch whose group reads fail part-way', () => {
  it('keeps the groups it read, so its retry reads only the rest', async () => {
    const f = await env.fixture('s33r-learn', [money], START);
    const insert = streamInserts({ from: 1000 });
    const records = Array.from({ length: GROUPS }, (_, i) =>
      insert({ g: { S: `g${i}` }, amount: { N: '1.5' } }, START),
    );
    // the first attempt reads 150 groups, then its reads fail
    const failing = queryClient(f.common.client, 151);
    await expect(
      createBufferedApplier({ ...f.common, client: failing.client }).apply({ records, shardId: 's-1' }),
    ).rejects.toThrow();
    expect(failing.queries()).toBeGreaterThanOrEqual(151);
    // the retry (Lambda redelivers the batch) reads again
    const retry = queryClient(f.common.client);
    const r = await createBufferedApplier({ ...f.common, client: retry.client }).apply({
      records,
      shardId: 's-1',
    });
    expect(r.poison).toEqual([]);
    // fails: every one of the 200 groups is read again (the 150 read before were never recorded)
    expect(retry.queries()).toBeLessThanOrEqual(GROUPS - 150);
  });
});

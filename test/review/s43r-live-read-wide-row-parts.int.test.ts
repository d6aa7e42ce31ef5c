// Review s43r (the end-to-end form of s42x-live-read-wide-row-parts): a live read of a row too wide for one write.
// What: 60 records of group `a` in one hour are buffered (rollup `wide`: an hour row of 183 counters, flushed in two
// parts, row-parts.ts); the stored hour row holds one cell DynamoDB got past the buffer (no hint in Redis) that the
// bucket takes past 38 digits: `readings_5` (in the second part) or, ranked, `energy_5` (in the first). The flush
// stores the part that fits and letters the other (ROW_REJECTED).
// Observed (main at ce8b37fb): the live read (`withLive` over the Redis snapshot) leaves out the bucket's whole row,
// so before the flush it reads none of the 182 cells the flush then stores.
// Expected: the live read says what the flush will store, counter by counter (the oracle: the row after the flush).
// Severity: low (a live read under-reports a wide row's other parts until the bucket flushes).
// Fixed (session 43, redis/live-parts.ts, used by `pendingByBucket` in redis/live-source.ts): the snapshot gives each
// bucket's row as the flush writes it, in its parts when it is too wide for one write, so `addPendingBuckets` leaves
// out only the part DynamoDB refuses.
// Break-check: with `pendingByBucket` giving whole buckets again (no `writesOf`), both cases fail (the read lacks the
// stored part's cells).
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createFlusher, createRedisLiveSource, withLive } from '../../packages/dynotally/src/redis/index.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { wideHourBuffered, wideRollup } from './mixed-deploy-fixture.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const PK = 'wide#sa';
const SK = 'H2026-11-22T08:00';

const counters = (row: Record<string, { N?: string }> | undefined) =>
  Object.fromEntries(
    Object.entries(row ?? {})
      .filter(([a]) => /^(readings|energy|power)/.test(a))
      .map(([a, v]) => [a, v.N?.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1')]),
  );

describe.each([
  ['readings_5', '9999999999999999999999999999999999999.5', false],
  ['energy_5', '9999999999999999999999999999999999998.5', true],
])('a live read of a wide row whose %s the bucket takes past 38 digits', (cell, stored, ranked) => {
  it('adds the parts the flush stores and leaves out the one it letters', async () => {
    const { common, table } = await wideHourBuffered(env, `s43r-parts-${ranked}`, wideRollup(ranked));
    // a value DynamoDB got past the buffer, after the buffer read the group's hints (no row then)
    await env.ddb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: PK }, sk: { S: SK }, [cell]: { N: stored } } }),
    );
    const row = async () =>
      (
        await env.ddb.send(
          new GetItemCommand({
            TableName: table,
            Key: { pk: { S: PK }, sk: { S: SK } },
            ConsistentRead: true,
          }),
        )
      ).Item;
    const live = await createRedisLiveSource(common).read([PK]);
    const read = counters(withLive(live, (await row()) ?? { pk: { S: PK }, sk: { S: SK } }));

    const letters: DeadLetter[] = [];
    await createFlusher({
      ...common,
      deadLetter: { send: async (l) => void letters.push(...l) },
    }).flushClosed();
    expect(letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
    const after = counters(await row());
    // the flush stored one part (and kept the refused cell as it was)
    expect(after[cell]).toBe(stored);
    expect(Object.keys(after).length).toBeGreaterThan(80);
    expect(read).toEqual(after);
  });
});

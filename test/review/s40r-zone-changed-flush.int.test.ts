// Review s40r (Redis flusher, a rollup's time zone changed while its cells are buffered): hour (and minute, second)
// row labels name UTC instants (`H2026-11-22T12:00`), and the flusher computes each row's TTL from the bucket its
// label names in the rollup's calendar (`rowsFromCells` → `calendar.bucketByLabel`). In a zone whose hours do not
// start on the UTC hour (Asia/Kolkata, +05:30: its hours start at :30) a label buffered under the old zone names no
// hour bucket, and `bucketByLabel` throws GRANULARITY_INVALID. It was thrown for the whole chunk of 200 groups, so
// the bucket failed on every run; buckets flush strictly oldest first, so no later bucket of any rollup was written
// again, while reads kept merging them from Redis (the dashboards looked right), until the keys expired after
// `keyTtlMs` (7 days) and every count buffered since was lost. The same class as h136-flusher-changed-layout (row
// kinds the new definition lacks, set aside as UNKNOWN_ROLLUP letters), which a changed zone slipped past: the row
// kind (`hour`) still exists. Redeploying the applier and the flusher with the new zone is all it takes (no control
// item to refuse it when the rollup has no versions).
// Observed (before the fix): every flush rejects with GRANULARITY_INVALID ("bucket label "H2026-11-22T12:00" is not
// the start of a hour bucket in time zone Asia/Kolkata"); the other rollup's rows, in the same bucket and in the
// next, never reach DynamoDB.
// Expected: the rows that can be placed flush; the cells the new calendar cannot place are set aside as an
// UNKNOWN_ROLLUP letter with their deltas, as for a changed layout, and block nothing.
// Fixed (session 40, redis/rows-from-cells.ts): a row whose label is no bucket of the flusher's calendar is returned
// in `unplaced` (dead-lettered as UNKNOWN_ROLLUP, naming the zone change) instead of throwing.
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const orders = (timeZone: string) =>
  defineRollup({
    name: 'orders',
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    timeZone,
    granularities: ['minute', 'hour'], // hour rows holding their minutes
    measures: { n: count() },
  });
const other = defineRollup({
  name: 'other',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

describe('Redis flusher: a rollup time zone changed while cells are buffered', () => {
  it("does not stop every other rollup's flush", async () => {
    const { table, clock, common } = await env.fixture('s40r-zone', [orders('UTC'), other], START);
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'g' } }, START), insert({ g: { S: 'g' } }, START)],
      shardId: 's-1',
    });
    const redeployed = { ...common, rollups: [orders('Asia/Kolkata'), other] };
    clock.advance(20 * MINUTE); // the next flush bucket
    await createBufferedApplier(redeployed).apply({
      records: [insert({ g: { S: 'g' } }, START + 20 * MINUTE)],
      shardId: 's-1',
    });
    clock.advance(20 * MINUTE);
    const letters: DeadLetter[] = [];
    const deadLetter: DeadLetterSink = {
      async send(ls) {
        letters.push(...ls);
      },
    };
    const outcomes: string[] = [];
    for (let tick = 0; tick < 2; tick++)
      outcomes.push(
        await createFlusher({ ...redeployed, deadLetter })
          .flushClosed()
          .then(
            (r) => `flushed ${r.buckets}`,
            (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
          ),
      );
    const rows = await env.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'other#sg' } },
        ConsistentRead: true,
      }),
    );
    // observed: { outcomes: ['GRANULARITY_INVALID', 'GRANULARITY_INVALID'], other: undefined, letters: [] }
    expect({
      outcomes,
      other: rows.Items?.[0]?.n?.N,
      letters: letters.map((l) => ({ code: l.code, sk: l.deltas?.[0]?.sk, adds: l.deltas?.[0]?.adds })),
    }).toEqual({
      outcomes: ['flushed 2', 'flushed 0'],
      other: '3',
      // the UTC hour row of the first bucket, its two orders kept with their minute; the second bucket's row is
      // a Kolkata hour (11:30), written
      letters: [
        {
          code: 'UNKNOWN_ROLLUP',
          sk: 'H2026-11-22T12:00',
          adds: [
            ['n', '2'],
            ['n_0', '2'],
          ],
        },
      ],
    });
  });
});

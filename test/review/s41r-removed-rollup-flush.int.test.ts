// Review s41r (Redis flusher, a rollup removed from the configuration while its cells are buffered): the flusher
// looked each buffered group's rollup up by name (`rowsFromCells`) and threw UNKNOWN_ROLLUP for a rollup it was not
// given. The throw failed the whole bucket, on every run; buckets flush strictly oldest first, so no later bucket of
// any rollup was written again until the removed rollup's keys expired (`keyTtlMs`, 7 days), and every count
// buffered meanwhile was lost with them. Documented ("the flusher stops with UNKNOWN_ROLLUP and keeps the bucket"),
// not handled, although a changed layout or time zone (h136, s40r-zone-changed-flush) is set aside as a letter.
// Observed (before the fix): every flush rejects with UNKNOWN_ROLLUP; the kept rollup's rows never reach DynamoDB.
// Expected: the removed rollup's cells go to the dead-letter sink as UNKNOWN_ROLLUP letters with their deltas (one
// per row of a bucket, nothing lost), everything else flushes, and the next run has nothing left to do.
// Fixed (session 41, redis/rows-from-cells.ts): a group of a rollup the flusher was not given comes back whole in
// `unplaced` (its letter says the rollup was removed), and the flusher logs that once per flush.
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import type { Logger } from '../../packages/dynotally/src/logging/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const gone = defineRollup({
  name: 'gone',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});
const kept = defineRollup({
  name: 'kept',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

describe('Redis flusher: a rollup removed while its cells are buffered', () => {
  it('dead-letters its cells with their deltas and flushes every other rollup', async () => {
    const { table, clock, common } = await env.fixture('s41r-removed', [gone, kept], START);
    const insert = streamInserts({ from: 1000 });
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'a' } }, START), insert({ g: { S: 'a' } }, START)],
      shardId: 's-1',
    });
    const redeployed = { ...common, rollups: [kept] };
    clock.advance(20 * MINUTE); // the next flush bucket
    await createBufferedApplier(redeployed).apply({
      records: [insert({ g: { S: 'a' } }, START + 20 * MINUTE)],
      shardId: 's-1',
    });
    clock.advance(20 * MINUTE);
    const letters: DeadLetter[] = [];
    const deadLetter: DeadLetterSink = {
      async send(ls) {
        letters.push(...ls);
      },
    };
    const logged: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn(m) {
        logged.push(`warn ${m}`);
      },
      error(m) {
        logged.push(`error ${m}`);
      },
    };
    const outcomes: string[] = [];
    for (let tick = 0; tick < 2; tick++)
      outcomes.push(
        await createFlusher({ ...redeployed, deadLetter, logger })
          .flushClosed()
          .then(
            (r) => `flushed ${r.buckets}, ${r.rowsDeadLettered} dead-lettered`,
            (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
          ),
      );
    const rows = await env.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'kept#sa' } },
        ConsistentRead: true,
      }),
    );
    // observed: { outcomes: ['UNKNOWN_ROLLUP', 'UNKNOWN_ROLLUP'], kept: undefined, letters: [] }
    expect({
      outcomes,
      kept: rows.Items?.[0]?.n?.N,
      letters: [...letters]
        .sort((x, y) => ((x.deltas?.[0]?.sk ?? '') < (y.deltas?.[0]?.sk ?? '') ? -1 : 1))
        .map((l) => ({
          code: l.code,
          pk: l.deltas?.[0]?.pk,
          sk: l.deltas?.[0]?.sk,
          adds: l.deltas?.[0]?.adds,
          removed: /removed|not given/.test(l.reason),
        })),
    }).toEqual({
      outcomes: ['flushed 2, 2 dead-lettered', 'flushed 0, 0 dead-lettered'],
      kept: '3',
      letters: [
        { code: 'UNKNOWN_ROLLUP', pk: 'gone#sa', sk: 'ALL', adds: [['n', '2']], removed: true },
        { code: 'UNKNOWN_ROLLUP', pk: 'gone#sa', sk: 'M2026-11', adds: [['n_22', '2']], removed: true },
      ],
    });
    // said once for the flush that set them aside, naming the rollup
    expect(logged.filter((m) => m.includes("'gone'"))).toHaveLength(1);
  });
});

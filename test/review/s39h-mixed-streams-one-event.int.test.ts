// Fixed (session 39, helper s39h): createStreamHandler checks, before anything is written, that an event's records
// name one stream (packages/dynotally/src/decode/one-stream.ts, run by orderBatch, which every path calls first), and throws
// CONFIG_INVALID naming both streams otherwise, also under ReportBatchItemFailures. The event's top-level
// eventSourceARN is not compared with its records' (nothing documents the two to be spelled alike, and a false
// refusal would stop every batch of a shard).
// Review s39h (Lambda stream handler: events that are not one shard of one stream). Severity: medium (silent loss,
// under a miswired event only: Lambda itself never mixes streams in one invocation).
// The exactly-once state a batch leaves on its rows is keyed by the stream of the batch's FIRST record and the
// event's shardId (`stateAttrsOf(records[0].eventSourceARN, shardId)` in the Applier; the Redis buffer and the
// transaction strategy key theirs the same way), and every record of the batch moves that one watermark. An event
// whose records come from two streams (a relay that merges the streams of two tables into one queue and calls the
// handler, a test harness, a hand-made replay) is applied
// without a word: the other stream's sequence numbers (not comparable with the first stream's) move the first
// stream's watermark, and the first stream's next records below it are taken for already applied.
// Scenario: one event with shardId 'shard-1' holds stream A's record 100 and stream B's record 900; the next event
// of A's shard holds A's record 200.
// Observed (before the fix): both events answered `batchItemFailures: []`, the count is 2, not 3: A's record 200
// was dropped as a redelivery, silently, and nothing says why.
// Expected: an event whose records name more than one stream is refused before
// anything is written (CONFIG_INVALID naming the streams), thrown whatever the mapping reports, as
// SHARD_ID_MISSING is: it is a wiring error, not a failed batch.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM_B = 'arn:aws:dynamodb:eu-west-1:1:table/other/stream/2026-12-01T00:00:00.000';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('s39h: an event mixing two streams', () => {
  it('is refused before anything is written, so no stream passes the other one’s records', async () => {
    const table = uniqueTableName('s39h-mixed');
    await createAggregateTable(clients.ddb, table);
    // as deployed by the construct: failures are returned as batchItemFailures
    const env = { DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: 'true' };
    const handler = streamHandlerIn(
      {
        rollups: [lateJobs],
        client: clients.ddb,
        table,
        deadLetter: 'log',
        logger: silent,
        now: () => LATE_NOW,
      },
      env,
    );
    const fromB = { ...writtenAgo('900', HOUR), eventSourceARN: STREAM_B };
    expect(await codeOf(handler({ shardId: 'shard-1', Records: [writtenAgo('100', HOUR), fromB] }))).toBe(
      'CONFIG_INVALID',
    );
    expect(await countedJobs(clients.ddb, table)).toBeUndefined();
    // one stream's batches go on as before
    await handler({ shardId: 'shard-1', Records: [writtenAgo('100', HOUR)] });
    await handler({ shardId: 'shard-1', Records: [writtenAgo('200', HOUR)] });
    expect(await countedJobs(clients.ddb, table)).toBe('2');
  });
});

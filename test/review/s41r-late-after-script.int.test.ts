// Review s41r (Redis buffer, a send deadline passed after the buffer's script took the batch): a batch's requests
// stop at its send deadline (`sendDeadline`: 24 h 40 min after its oldest on-time record was written), and a
// request past it fails with RECORD_TOO_OLD. On the buffered applier the min / max / last writes come after the
// script that counts the batch in Redis; `afterScript` kept RECORD_TOO_OLD as it was (not BUFFERED_BATCH_UNFINISHED),
// so the stream worker took it for an ordinary failure of the records: retried a bounded number of times, then
// split and dead-lettered as RETRIES_EXHAUSTED with every row pending (or dropped by `maxRecordAgeMs`), although
// Redis held their counts: a replay of those letters counted them twice. Each retry peels the records late by then
// off as RECORD_TOO_OLD letters (no pending row: the watermark in Redis holds them), but a retry of the rest can
// run past its own deadline again (DynamoDB throttling the extrema writes for minutes per attempt).
// Observed (before the fix): the worker dead-letters the 4 records as RETRIES_EXHAUSTED after 2 attempts failed
// with RECORD_TOO_OLD.
// Expected: the failure is BUFFERED_BATCH_UNFINISHED (RECORD_TOO_OLD as its cause), waited out; the retries
// dead-letter the records as late with no pending row (Redis counted them), the worker none, and Redis counts 4.
// Fixed (session 41, redis/buffered-applier.ts `KEPT_AFTER_SCRIPT`): RECORD_TOO_OLD after the script is
// BUFFERED_BATCH_UNFINISHED, like any other failure there.
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, max } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createBufferedApplier, runFlushOnce } from '../../packages/dynotally/src/redis/index.ts';
import { processBatch } from '../../packages/dynotally/src/worker/batch-processor.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const MIN = 60_000;

const peaks = defineRollup({
  name: 'peaks',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), hi: max('amount') },
});

/** `client` whose aggregate-row UpdateItems (the extrema) each take 20 minutes by `clock` and are throttled. */
function slowExtrema(client: DynamoDBClient, clock: { advance(ms: number): void }): DynamoDBClient {
  const send = (...args: Parameters<DynamoDBClient['send']>) => {
    const command = args[0];
    if (command instanceof UpdateItemCommand && !command.input.Key?.pk?.S?.startsWith('~')) {
      clock.advance(20 * MIN);
      return Promise.reject(Object.assign(new Error('injected: slow down'), { name: 'ThrottlingException' }));
    }
    return Reflect.apply(client.send, client, args) as ReturnType<DynamoDBClient['send']>;
  };
  return new Proxy(client, {
    get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)),
  });
}

describe('Redis buffer: a send deadline passed after the script took the batch (review s41r)', () => {
  it('is waited out by the worker, never dead-lettered with its rows pending', async () => {
    const { clock, common } = await env.fixture('s41r-late', [peaks], START + 24 * 60 * MIN + 29 * MIN);
    const insert = streamInserts({ from: 1000 });
    // written 10 minutes apart; the oldest just on time (24 h 29 min old)
    const records = [0, 1, 2, 3].map((i) =>
      insert({ g: { S: 'a' }, amount: { N: String(10 + i) } }, START + i * 10 * MIN),
    );
    const letters: DeadLetter[] = [];
    const sink: DeadLetterSink = {
      async send(ls) {
        letters.push(...ls);
      },
    };
    const applier = createBufferedApplier({
      ...common,
      client: slowExtrema(common.client, clock),
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const handler = createStreamHandler({ applier, deadLetter: sink, logger: common.logger });
    const errors: string[] = [];
    const workerLetters: string[] = [];
    const outcome = await processBatch(
      records,
      { maxRetries: 1, bisectOnError: false, retryBaseMs: 1, retryMaxMs: 2 },
      {
        handle: async (rs: readonly DynamoDBRecord[]) => {
          try {
            return await handler({ Records: [...rs], shardId: 'shard-1', finishedShards: [] });
          } catch (e) {
            errors.push(
              isDynotallyError(e)
                ? `${e.code}${isDynotallyError(e.cause) ? ` (${e.cause.code})` : ''}`
                : String(e),
            );
            throw e;
          }
        },
        deadLetter: async (rs, code) => {
          workerLetters.push(`${code} x${rs.length}`);
        },
        checkpoint: async () => {},
        aborted: () => false,
        sleep: async () => {},
        now: clock.now,
      },
    );
    await runFlushOnce({ ...common, all: true });
    // observed: workerLetters ['RETRIES_EXHAUSTED x4'] (Redis counting the 4 already: a replay counts them twice),
    // errors ['RECORD_TOO_OLD', 'RECORD_TOO_OLD']
    expect({
      completed: outcome.completed,
      workerLetters,
      errors,
      // (a retry sends the letters of the records late by then again, under the same keys: the sink stores them once)
      late: [
        ...new Set(
          letters.map((l) => `${l.code} ${l.sequenceNumber} pending ${l.pendingRows?.length ?? 'all'}`),
        ),
      ],
      count: (
        await env.ddb.send(
          new GetItemCommand({
            TableName: common.table,
            Key: { pk: { S: 'peaks#sa' }, sk: { S: 'ALL' } },
            ConsistentRead: true,
          }),
        )
      ).Item?.n?.N,
    }).toEqual({
      completed: true,
      workerLetters: [],
      errors: ['BUFFERED_BATCH_UNFINISHED (RECORD_TOO_OLD)', 'BUFFERED_BATCH_UNFINISHED (RECORD_TOO_OLD)'],
      late: [
        'RECORD_TOO_OLD 1001 pending 0',
        'RECORD_TOO_OLD 1002 pending 0',
        'RECORD_TOO_OLD 1003 pending 0',
        'RECORD_TOO_OLD 1004 pending 0',
      ],
      count: '4',
    });
  });
});

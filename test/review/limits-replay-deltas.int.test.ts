// Review of DynamoDB limits (expression ≤ 4 KB) in dead-letter replay. The Redis flusher dead-letters a row
// DynamoDB refuses (ROW_REJECTED) with the row's deltas, all its counters in one DeadLetterDelta; replay
// (dead-letter/replay-params.ts replayRowUpdate) adds them in one UpdateExpression (`ADD #a0 :v0, …`), about 13
// bytes a counter. A row of a bucket with more than ~310 counters (10 measures at ['minute', 'hour']: an hour
// row holds 610) passes 4 KB: the replay transaction is refused (ValidationException), the letter is marked
// 'failed' and every later replay fails the same way: its counts can never be applied by the library.
// Since the flusher writes a wide row in parts and dead-letters a refused part alone (its own letter, fitting one
// write: test/redis/flusher-wide.int.test.ts), no letter it writes is this wide; a dead letter of a stream record
// always fits (defineRollup bounds one record's counters in a row). Left as an expected failure: a letter stored
// by the flusher before that change (0.2.0 was not released then) would still fail its replay this way.
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('replay of a wide row dead-lettered by the flusher', () => {
  // fails: outcome 'failed', reason "replay failed: ValidationException: Invalid UpdateExpression: Expression size
  // has exceeded the maximum allowed size", on every replay; fix: cut a
  // delta's adds into several row updates (each ≤ MAX_ADDS_PER_WRITE) within the same transaction items budget,
  // or several chunks each marked like the > 99-row replay
  it.fails('replays a letter whose row carries 610 counters', async () => {
    const table = uniqueTableName('review-replay-wide');
    const dlt = uniqueTableName('review-replay-wide-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const adds: Array<readonly [string, string]> = [];
    for (let m = 0; m < 10; m++) for (let c = 0; c <= 60; c++) adds.push([`measure${m}_${c}`, '1']);
    const letter: DeadLetter = {
      source: 'redis:flush',
      shardId: undefined,
      sequenceNumber: '1763800000000#wide#sg1#H2025-11-22T08',
      eventId: undefined,
      code: 'ROW_REJECTED',
      reason: 'DynamoDB refused the aggregate row',
      record: undefined,
      at: Date.now(),
      deltas: [{ pk: 'wide#sg1', sk: 'H2025-11-22T08', adds, ttl: undefined, leaderboard: undefined }],
    };
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
    const [result] = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [],
      all: true,
    });
    expect(result?.reason).toBeUndefined();
    expect(result?.outcome).toBe('replayed');
    const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'wide#sg1');
    expect(row?.measure9_60?.N).toBe('1');
  });
});

// Review of DynamoDB limits (expression ≤ 4 KB) in dead-letter replay. The Redis flusher used to dead-letter a row
// DynamoDB refused (ROW_REJECTED) with all the row's counters in one DeadLetterDelta; today it writes a wide row in
// parts and dead-letters a refused part alone (test/redis/flusher-wide.int.test.ts), but replay must accept every
// letter the sink accepts (one stored by an older version, or by hand). Replay used to add a delta's counters in
// one UpdateExpression (`ADD #a0 :v0, …`, about 13 bytes a counter): a row with 610 counters (10 measures at
// ['minute', 'hour']) passed 4 KB, DynamoDB refused the transaction (ValidationException) and the letter was
// marked 'failed' on every replay. Now replay cuts such a row into updates that each fit one write
// (dead-letter/replay-chunks.ts, additionParts in layout/write-limits.ts), one transaction each with the letter's
// chunk marker, so a replay interrupted between two parts resumes without adding any counter twice or skipping
// one (test/dead-letter/replay-wide.int.test.ts).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type DeadLetter, DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { replayDeltaLetters } from '../dead-letter/replay-flusher-letters.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('replay of a wide row dead-lettered by the flusher', () => {
  // failed before the fix: outcome 'failed', reason "replay failed: ValidationException: Invalid UpdateExpression:
  // Expression size has exceeded the maximum allowed size", on every replay
  it('replays a letter whose row carries 610 counters', async () => {
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
    await replayDeltaLetters(clients.ddb, dlt, table);
    const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'wide#sg1');
    for (const [attr] of adds) expect(row?.[attr]?.N, attr).toBe('1');
  });
});

// Fixed (session 39, helper s39z): `pendingRowsOf` (dead-letter/pending-rows.ts) reads the state of the record's
// stream when it names one and of the batch's (`source`, batchStream) when its eventSourceARN is missing or empty.
// Break-check: on main (`record.eventSourceARN ?? source`) the letter lists row jobs#sx/ALL as pending (fails).
// Review s39z (s39v's batchStream, decode/one-stream.ts: "records without a stream (eventSourceARN missing or empty)
// are left to the fold; the batch's state is keyed by the stream the others name").
// Severity: low (a hand-made or relayed event only: Lambda, the stream worker and the backfill name the stream on
// every record).
// What: a dead letter's pending rows (`pendingRowsOf`, dead-letter/pending-rows.ts) are read from the state of
// `record.eventSourceARN ?? source`: a record whose eventSourceARN is '' (not nullish) reads stream ''s state, while
// its batch moved the state of the stream the others name (batchStream). A RECORD_TOO_OLD letter of such a record,
// applied on time by an earlier delivery, then lists every row it touches as pending although they hold it, and a
// replay of the letter counts it a second time.
// Scenario: [record 100 with eventSourceARN '', A's record 200] applied 23 h after they were written; the same batch
// redelivered 26 h after: record 100 is late, dead-lettered as RECORD_TOO_OLD.
// Expected: its letter lists no pending row (the row holds it). Observed: the row is pending.
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('s39z: a record whose eventSourceARN is empty, dead-lettered late', () => {
  it('reads its pending rows from the stream its batch is keyed by', async () => {
    const table = uniqueTableName('s39z-emptyarn');
    await createAggregateTable(clients.ddb, table);
    const clock = { t: LATE_NOW };
    const letters: DeadLetter[] = [];
    const handler = streamHandlerIn(
      {
        rollups: [lateJobs],
        client: clients.ddb,
        table,
        deadLetter: { send: async (l) => void letters.push(...l) },
        logger: silent,
        now: () => clock.t,
      },
      { DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: 'true' },
    );
    const batch = () => [
      { ...writtenAgo('100', 23 * HOUR), eventSourceARN: '' },
      writtenAgo('200', 23 * HOUR),
    ];
    await handler({ shardId: 'shard-1', Records: batch() });
    expect(await countedJobs(clients.ddb, table)).toBe('2');
    clock.t = LATE_NOW + 3 * HOUR;
    await handler({ shardId: 'shard-1', Records: batch() });
    expect(await countedJobs(clients.ddb, table)).toBe('2');
    const late = letters.find((l) => l.sequenceNumber?.endsWith('100') === true);
    expect(late?.code).toBe('RECORD_TOO_OLD');
    expect(late?.pendingRows).toEqual([]);
  });
});

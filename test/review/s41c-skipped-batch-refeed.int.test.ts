// Review s41c (Lambda: what a user can do with the mapping's on-failure destination). Severity: medium (docs).
// Finding: the construct refuses `retryAttempts` or a `maxRecordAge` under 24 h without `onFailure`, and docs/deploy.md
// said the destination "receives each skipped batch's shard and sequence numbers: what you need to know which counts
// are missing while the stream still holds the records" — and nothing more. Lambda sends it metadata only (stream
// ARN, shard id, first and last sequence numbers), so the obvious next step, "while the stream still holds the
// records", is to read that range from the stream and hand it to the handler again (or to a worker).
// Mechanism: exactly-once cannot tell those records from a redelivery. Lambda moved on after skipping the batch, and
// the shard's later batches moved the rows' watermarks past the skipped sequence numbers: the handler takes every
// record of the range for already applied, counts nothing, and answers success with no error and no warning (below,
// on DynamoDB Local). Some of them may even be in some rows already, from an attempt that failed halfway: there is no
// per-record answer to "which rows lack it" once later records were applied (the stream worker's RETRIES_EXHAUSTED
// letters can replay exactly once only because it probes the rows before it moves on).
// Fixed (session 41, helper s41c, docs): docs/deploy.md says what the message holds, that the records must not be fed
// to the handler again (and why), and what restores the counts: fix the cause, then `dynotally verify <rollup>` and
// `verify --repair` (a rebuild through a backfill, which needs `versions: true` and `grantBackfill`). This test keeps
// the mechanism (so the advice stays true) and holds the page to it.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe("the records of a batch Lambda skipped (the on-failure destination's range)", () => {
  it('count nothing when handed to the handler again after later batches: taken for already applied, silently', async () => {
    const table = uniqueTableName('s41c-refeed');
    await createAggregateTable(clients.ddb, table);
    const logged: unknown[][] = [];
    const log = (...a: unknown[]) => void logged.push(a);
    const handler = createStreamHandler({
      rollups: [lateJobs],
      client: clients.ddb,
      table,
      deadLetter: 'log',
      lineage: false,
      now: () => LATE_NOW,
      logger: { debug() {}, info() {}, warn: log, error: log },
    });
    const shardId = 'shardId-00000001700000000000-s41c';
    await handler({ shardId, Records: [writtenAgo('100', 3 * HOUR)] });
    // the batch of 200 and 210 is skipped by Lambda (retryAttempts or maxRecordAge ran out): onFailure gets its range
    await handler({ shardId, Records: [writtenAgo('300', HOUR)] });
    expect(await countedJobs(clients.ddb, table)).toBe('2');

    const skipped = [writtenAgo('200', 2 * HOUR), writtenAgo('210', 2 * HOUR)];
    expect(await handler({ shardId, Records: skipped })).toEqual({ batchItemFailures: [] });
    expect(await countedJobs(clients.ddb, table)).toBe('2'); // 4 items were written, 2 are counted
    expect(logged).toEqual([]); // nothing says so
  });

  it('docs/deploy.md says so, and what restores the counts', () => {
    const page = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const at = page.indexOf('**What an `onFailure` message is for.**');
    expect(at).toBeGreaterThan(-1);
    const section = page.slice(at);
    const text = section.slice(0, section.indexOf('\n\n'));
    expect(text).toMatch(/metadata only/);
    expect(text).toMatch(/never hand them to the handler/i);
    expect(text).toMatch(/dynotally verify <rollup>/);
    expect(text).toMatch(/--repair/);
    expect(text).toMatch(/s41c-skipped-batch-refeed/);
  });
});

// What: a shard consumer catching up a backlog. Each GetRecords asked for what the batch still lacked (`Limit` =
// batchSize) and, after a full page, the next one was sent as soon as the batch was applied: nothing spaced the calls.
// With a small batch size and a quick write side a shard was read far more often than the 5 GetRecords calls a second
// a shard allows; on AWS the excess is refused (LimitExceededException), retried by the SDK, then counted in `errors`,
// logged (`GetRecords failed; retrying`) and waited out for 500 ms, so a catch-up ran in bursts of throttles instead of
// at the shard's pace. Lambda's event source mapping reads up to 1,000 records a call whatever its batch size, and
// polls a shard at most four times a second. A short `pollIntervalMs` (`--poll-interval 0` is allowed) did the same on
// a caught-up shard.
// Observed (DynamoDB Local, 300 records of a backlog, batchSize 10, no batching window): 21 GetRecords within one
// second, one a batch of 10 (pollIntervalMs 20 after that: more still).
// Expected: never more than 5 GetRecords of a shard within a second, and the backlog caught up all the same (the
// aggregates equal the oracle's).
// Severity: medium (on AWS, a catch-up with batchSize below a page throttles itself on every shard: errors and warnings
// under normal load, and a catch-up slower than the shard's pace).
// Fixed: shard-consumer.ts reads pages of up to 1,000 records (`READ_PAGE_LIMIT`, whatever batchSize says) and cuts
// them into batches of batchSize, and sends a shard's GetRecords at least `MIN_READ_INTERVAL_MS` (200 ms) apart.
// Break-check: on the code before the fix, 21 calls fall in one second (fails); without the spacing alone, the idle
// polls of the caught-up shard (fails); with `Limit: this.ctx.batchSize - buffer.length` back alone, no page is larger than a batch (fails).
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamWorker, runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  workerTables,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** The most calls whose start times fall within less than a second of each other. */
function mostInOneSecond(times: readonly number[]): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while ((times[to] as number) - (times[from] as number) >= 1_000) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

describe('s42w: GetRecords calls on a shard catching up', () => {
  it('stay within 5 a second with a small batch size, and the backlog is caught up', {
    timeout: 120_000,
  }, async () => {
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's42wrate');
    const ops = makeOps(4201, 300, 300, 's42w');
    await writeOps(clients.ddb, source, ops);
    const own = testClients();
    const reads: number[] = [];
    let largestPage = 0;
    own.streams.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'GetRecordsCommand') return next(args);
        reads.push(Date.now());
        const out = await next(args);
        const page = (out.output as { Records?: unknown[] }).Records?.length ?? 0;
        largestPage = Math.max(largestPage, page);
        return out;
      },
      { step: 'initialize', name: 's42wCountReads' },
    );
    try {
      const w = createStreamWorker({
        client: own.ddb,
        streamsClient: own.streams,
        sourceTable: source,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        workerId: 's42w-rate',
        logger: quietLogger(),
        batchSize: 10,
        pollIntervalMs: 20, // a short pause after an empty page (the CLI's --poll-interval takes 0)
        leaseDurationMs: 6_000,
        heartbeatMs: 1_000,
      });
      const stats = await runWorkerUntilIdle(w, { quietMs: 1_500, timeoutMs: 90_000 });
      expect(stats.records).toBeGreaterThan(0);
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
      expect(mostInOneSecond(reads)).toBeLessThanOrEqual(5);
      // read in pages larger than a batch (cut into batches), or the spacing alone would slow a catch-up down
      expect(largestPage).toBeGreaterThan(10);
    } finally {
      own.destroy();
    }
  });
});

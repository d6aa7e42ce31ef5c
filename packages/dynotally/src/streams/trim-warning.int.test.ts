// Issue 12: every `npm start` warned "the stream trimmed records this shard had not read yet (older than
// 24 h)" on a table created seconds before (DynamoDB Local answers a fresh shard's first GetRecords with
// TrimmedDataAccessException). Nothing can be trimmed from a stream younger than 24 h: no warning, and every
// record is still counted.
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  waitFor,
  writeOps,
} from '../../../../test/worker/support.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../tables/index.ts';
import { createStreamWorker } from '../worker/index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('the trimmed-records warning on a fresh stream', () => {
  it('a worker reading a stream created seconds ago warns of no trimmed records and counts every one', async () => {
    const source = uniqueTableName('trim-src');
    const aggregates = uniqueTableName('trim-agg');
    const leases = uniqueTableName('trim-lease');
    const deadLetters = uniqueTableName('trim-dlq');
    await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, aggregates),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
    ]);
    const logger = quietLogger();
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      deadLetter: { table: deadLetters },
      logger,
      pollIntervalMs: 100,
    });
    // the worker reads the empty fresh shard first (where DynamoDB Local throws TrimmedDataAccessException)
    await worker.start();
    await new Promise((r) => setTimeout(r, 1_500));
    const ops = makeOps(21, 40, 15);
    await writeOps(clients.ddb, source, ops);
    await waitFor(
      'every record',
      async () => (worker.stats().records >= ops.length ? true : undefined),
      90_000,
    );
    await worker.stop();
    expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
    expect(logger.lines.filter((l) => /trimmed|retention/.test(l.message))).toEqual([]);
  }, 150_000);
});

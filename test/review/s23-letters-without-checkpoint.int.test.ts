// Review s23 (stream worker, dead letters): the worker's RETRIES_EXHAUSTED letters are committed with the checkpoint
// past them (`alongside`, DynamoDbDeadLetterSink) "so a crash between the two never dead-letters a record that a
// redelivery then applies" (batch-processor.ts). That holds only when the letters fit one transaction (≤ 98 letter
// items, ≤ 3 MB). Otherwise the sink stores the letters one by one first and moves the checkpoint after, in a
// transaction of its own: a worker that dies (or freezes past its lease, or is taken over) between the two leaves the
// letters stored and the checkpoint before their records. The next owner reads the records again, and when the
// failure was transient (throttling that outlasted maxRetries, a DynamoDB blip) it applies them: the records are
// counted, and their letters still say they are not, with every row pending. `dead-letters replay` then adds them a
// second time (plain ADDs on the letters' pendingRows: "later records having moved the rows' watermarks past it does
// not matter"). A batch dead-lettered whole is the documented behaviour without bisection (`bisectOnError: false`),
// and the default batchSize (100) is already over the transaction's 98 letters.
// Scenario: a simulated stream with 100 orders on one shard; worker A (batchSize 100, bisectOnError false, maxRetries
// 1) finds every row write refused (a fault that then clears) and dead-letters the batch (100 letters); A freezes
// right after the letters, before its checkpoint transaction goes out (every later request of A hangs: a crash);
// worker B takes the shard once A's lease runs out and applies the 100 orders; then every letter is replayed.
// Observed: after the replay every group counts its orders twice (200 in all); before it, 100 orders and 100 letters
// that say their records were not counted.
// Expected: 100 orders, after the replay as before it (the letters never stored without their checkpoint, or the
// redelivery makes them void).
// Suggested fix: never store letters that are not committed with their checkpoint: split a batch's letters into
// transactions of ≤ 98 letters, each with the checkpoint through its last record (the checkpoint moves with every
// chunk, in sequence order); a letter too big for a transaction with the checkpoint (parts) goes alone, with the
// checkpoint through its record. Or have the worker skip in chunks (`skip` per 98 records, `through` each chunk's last).
// Severity: double count (after a crash or a lost lease between the letters and the checkpoint, and a replay).
// Fixed in session 23: the worker hands the sink its checkpoint as a function of the last letter, and the DynamoDB
// sink commits the letters in order, a transaction of at most 98 at a time, each with the checkpoint through its
// last record (the batch's own checkpoint with the last).
import { TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker, type StreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import {
  actualCells,
  expectedCells,
  type Op,
  quietLogger,
  readLease,
  tallies,
  waitFor,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const order = (i: number): Op => ({
  kind: 'put',
  item: {
    id: { S: `o-${i}` },
    g: { S: `g${i % 3}` },
    t: { N: String(Date.now() - 3_600_000) },
    amount: { N: '1' },
  },
});

describe('s23: a batch dead-lettered whole, the worker dies before its checkpoint', () => {
  it('its records are counted once, replay included', { timeout: 600_000 }, async () => {
    await ddbReady();
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    const SHARD = 'shardId-1';
    stream.addShard(SHARD);
    const ops = Array.from({ length: 100 }, (_, i) => order(i));
    for (const op of ops) stream.append(SHARD, op);
    const aggregates = uniqueTableName('s23-dlcp-agg');
    const leases = uniqueTableName('s23-dlcp-lease');
    const letters = uniqueTableName('s23-dlcp-dl');
    await Promise.all([
      createAggregateTable(clients.ddb, aggregates),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, letters),
    ]);

    // A: every row write refused; frozen from its first transaction on (the checkpoint after the letters)
    let frozen = false;
    let thaw: () => void = () => {};
    const thawed = new Promise<void>((r) => {
      thaw = r;
    });
    const aClient = heldClient(clients.ddb, async (command) => {
      if (command instanceof TransactWriteItemsCommand) frozen = true;
      if (frozen) {
        await thawed;
        throw new Error('the process is gone');
      }
      if (command instanceof UpdateItemCommand && command.input.TableName === aggregates)
        throw Object.assign(new Error('Invalid UpdateExpression: an injected refusal'), {
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
    });
    const make = (workerId: string, client = clients.ddb): StreamWorker =>
      createStreamWorker({
        client,
        streamsClient: stream.client(),
        streamArn: stream.arn,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        deadLetter: { table: letters },
        write: { api: 'update-item' },
        workerId,
        logger: quietLogger(),
        batchSize: 100,
        bisectOnError: false,
        maxRetries: 1,
        retryBaseMs: 10,
        leaseDurationMs: 3_000,
        heartbeatMs: 400,
        pollIntervalMs: 100,
      });
    const a = make('s23-dlcp-a', aClient);
    const b = make('s23-dlcp-b');
    try {
      await a.start();
      await waitFor('A frozen after its letters', () => (frozen ? true : undefined), 120_000);
      // no letter is stored before the checkpoint that goes with it: A froze on its first transaction of both
      expect((await scanTable(clients.ddb, letters)).length).toBe(0);
      await b.start();
      await waitFor(
        'B read the shard',
        async () =>
          (await readLease(clients.ddb, leases, stream.arn, SHARD))?.checkpoint?.S ===
          stream.lastSequence(SHARD)
            ? true
            : undefined,
        120_000,
      );
      // B applied the orders A could not: counted once, and no letter says otherwise
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
      await replayDeadLetters({
        client: clients.ddb,
        deadLetterTable: letters,
        table: aggregates,
        rollups: [tallies],
        all: true,
      });
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
    } finally {
      thaw();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

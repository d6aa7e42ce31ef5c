import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  readLease,
  scanAll,
  tallies,
  waitFor,
  writeOps,
} from '../../../../test/worker/support.ts';
import { listDeadLetters } from '../dead-letter/index.ts';
import { readStreamRecords } from '../streams/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../tables/index.ts';
import { createStreamWorker, type StreamWorkerOptions } from './index.ts';
import { workerKey } from './lease.ts';
import { runWorkerUntilIdle } from './run-until-idle.ts';

const clients = testClients();
afterAll(() => clients.destroy());

interface Setup {
  source: string;
  streamArn: string;
  shardId: string;
  aggregates: string;
  leases: string;
  deadLetters: string;
}

async function setup(prefix: string): Promise<Setup> {
  const source = uniqueTableName(`${prefix}-src`);
  const aggregates = uniqueTableName(`${prefix}-agg`);
  const leases = uniqueTableName(`${prefix}-lease`);
  const deadLetters = uniqueTableName(`${prefix}-dlq`);
  const [streamArn] = await Promise.all([
    createSourceTable(clients.ddb, source, { id: 'S' }),
    createAggregateTable(clients.ddb, aggregates),
    createLeaseTable(clients.ddb, leases),
    createDeadLetterTable(clients.ddb, deadLetters),
  ]);
  const shards =
    (await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription
      ?.Shards ?? [];
  return { source, streamArn, shardId: shards[0]?.ShardId ?? '', aggregates, leases, deadLetters };
}

const options = (s: Setup, more: Partial<StreamWorkerOptions> = {}): StreamWorkerOptions => ({
  client: clients.ddb,
  streamsClient: clients.streams,
  sourceTable: s.source,
  leaseTable: s.leases,
  table: s.aggregates,
  rollups: [tallies],
  deadLetter: { table: s.deadLetters },
  logger: quietLogger(),
  leaseDurationMs: 3_000,
  heartbeatMs: 300,
  pollIntervalMs: 100,
  batchSize: 50,
  ...more,
});

async function lastSequenceNumber(streamArn: string): Promise<string> {
  const shards = await readStreamRecords(clients.streams, streamArn);
  const records = shards.flatMap((s) => s.records);
  return records[records.length - 1]?.dynamodb?.SequenceNumber ?? '';
}

describe('stream worker on DynamoDB Local', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('wk-one');
  });

  it('consumes the stream into aggregates equal to the oracle; stop() leaves a checkpoint and a released lease', async () => {
    const ops = makeOps(11, 70, 25);
    await writeOps(clients.ddb, s.source, ops);
    const worker = createStreamWorker(options(s));
    const stats = await runWorkerUntilIdle(worker, { quietMs: 600 });

    expect(await actualCells(clients.ddb, s.aggregates)).toEqual(expectedCells(ops));
    expect(stats.records).toBe(ops.length - 0); // every op produced one record (no identical re-writes)
    expect(stats.apply.rowsAlreadyApplied).toBe(0);
    expect(stats.state).toBe('stopped');
    expect(stats.recordsPerSecond).toBeGreaterThan(0);

    const lease = await readLease(clients.ddb, s.leases, s.streamArn, s.shardId);
    expect(lease?.checkpoint?.S).toBe(await lastSequenceNumber(s.streamArn));
    expect(lease?.owner?.NULL).toBe(true);
    expect(lease?.expiresAt?.N).toBe('0');
    const presence = (await scanAll(clients.ddb, s.leases)).filter(
      (i) => i.pk?.S === workerKey(s.streamArn, worker.workerId),
    );
    expect(presence).toEqual([]);
  });

  it('a worker started after a clean stop takes the released lease at once and resumes after the checkpoint', async () => {
    const before = await readLease(clients.ddb, s.leases, s.streamArn, s.shardId);
    const more = makeOps(12, 40, 15, 'later');
    await writeOps(clients.ddb, s.source, more);
    // A lease duration far beyond the test timeout: only a released lease can be taken.
    const worker = createStreamWorker(options(s, { leaseDurationMs: 600_000, heartbeatMs: 300 }));
    const stats = await runWorkerUntilIdle(worker, { quietMs: 600, timeoutMs: 45_000 });
    expect(stats.records).toBe(more.length); // resumed after the checkpoint: nothing re-read
    expect(stats.leasesTaken).toBe(1);
    expect(await actualCells(clients.ddb, s.aggregates)).toEqual(
      expectedCells([...makeOps(11, 70, 25), ...more]),
    );
    const after = await readLease(clients.ddb, s.leases, s.streamArn, s.shardId);
    expect(after?.checkpoint?.S).toBe(await lastSequenceNumber(s.streamArn));
    expect(after?.checkpoint?.S).not.toBe(before?.checkpoint?.S);
  });
});

describe('configuration errors', () => {
  it('start() waits out a throttled DescribeTable (six throttles in a row) instead of giving up', async () => {
    const s = await setup('wk-describe-throttled');
    const ops = makeOps(31, 20, 10);
    await writeOps(clients.ddb, s.source, ops);
    const { ddb: faulty, destroy } = testClients();
    let throttles = 0;
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeTableCommand' && throttles < 6) {
          throttles += 1;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
            name: 'LimitExceededException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'testThrottleDescribeTable' },
    );
    try {
      const stats = await runWorkerUntilIdle(createStreamWorker(options(s, { client: faulty })), {
        quietMs: 600,
      });
      expect(throttles).toBe(6);
      expect(stats.records).toBe(ops.length);
      expect(await actualCells(clients.ddb, s.aggregates)).toEqual(expectedCells(ops));
    } finally {
      destroy();
    }
  });

  it('start() rejects with TABLE_NOT_FOUND naming the missing table, and done rejects too', async () => {
    const s = {
      source: uniqueTableName('wk-missing-src'),
      aggregates: uniqueTableName('wk-missing-agg'),
      leases: 'no-such-lease-table',
      streamArn: '',
      shardId: '',
      deadLetters: '',
    };
    await Promise.all([
      createSourceTable(clients.ddb, s.source, { id: 'S' }),
      createAggregateTable(clients.ddb, s.aggregates),
    ]);
    const worker = createStreamWorker(options(s, { deadLetter: 'log' }));
    await expect(worker.start()).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
      details: { table: 'no-such-lease-table' },
    });
    await expect(worker.done).rejects.toMatchObject({ code: 'TABLE_NOT_FOUND' });
    expect(worker.stats().state).toBe('stopped');
    const noSource = createStreamWorker(options(s, { sourceTable: 'no-such-source', deadLetter: 'log' }));
    await expect(noSource.start()).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
      details: { table: 'no-such-source' },
    });
  });
});

describe('startingPosition LATEST', () => {
  it('skips what the stream held when the worker first met it, and reads everything written after', async () => {
    const s = await setup('wk-latest');
    await writeOps(clients.ddb, s.source, makeOps(51, 20, 10, 'old'));
    const worker = createStreamWorker(options(s, { startingPosition: 'LATEST' }));
    await worker.start();
    await waitFor('the shard polled at its tip', () =>
      worker.stats().shards[0]?.caughtUp ? true : undefined,
    );
    const fresh = makeOps(52, 30, 10, 'new');
    await writeOps(clients.ddb, s.source, fresh);
    const stats = await runWorkerUntilIdle(worker, { quietMs: 600 });
    expect(stats.records).toBe(fresh.length);
    expect(await actualCells(clients.ddb, s.aggregates)).toEqual(expectedCells(fresh));
    expect((await readLease(clients.ddb, s.leases, s.streamArn, s.shardId))?.startAt?.S).toBe('LATEST');
  });

  it('a worker stopped before any new record pins its position: the next one misses nothing and counts no history', async () => {
    const s = await setup('wk-latest-pin');
    await writeOps(clients.ddb, s.source, makeOps(53, 10, 10, 'old'));
    const history = await lastSequenceNumber(s.streamArn);
    const first = createStreamWorker(options(s, { startingPosition: 'LATEST' }));
    await first.start();
    await waitFor('the shard polled at its tip', () =>
      first.stats().shards[0]?.caughtUp ? true : undefined,
    );
    await first.stop();
    expect((await readLease(clients.ddb, s.leases, s.streamArn, s.shardId))?.checkpoint?.S).toBe(history);
    const fresh = makeOps(54, 10, 10, 'new');
    await writeOps(clients.ddb, s.source, fresh); // while no worker runs
    const stats = await runWorkerUntilIdle(createStreamWorker(options(s, { startingPosition: 'LATEST' })), {
      quietMs: 400,
    });
    expect(stats.records).toBe(fresh.length);
    expect(await actualCells(clients.ddb, s.aggregates)).toEqual(expectedCells(fresh));
  });
});

describe('poison records', () => {
  it('reach the dead-letter table and the shard moves on: a malformed record, and one whose writes keep failing', async () => {
    const s = await setup('wk-poison');
    const ops = makeOps(21, 60, 20);
    // Fault injection on a second client: DynamoDB rejects every row write of group 'gpoison' with an error no
    // retry or record-by-record rewrite can get past (a row grown past 400 KB is resolved by the applier instead:
    // test/apply/row-full.int.test.ts); everything else reaches DynamoDB Local untouched.
    const { ddb: faulty, destroy } = testClients();
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: { TableName?: string; Key?: { pk?: { S?: string } } } }).input;
        if (
          context.commandName === 'UpdateItemCommand' &&
          input.TableName === s.aggregates &&
          input.Key?.pk?.S?.includes('gpoison')
        ) {
          throw Object.assign(new Error('Invalid UpdateExpression: an injected refusal'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'testPoisonGroup' },
    );
    const bad = [
      {
        kind: 'put' as const,
        item: { id: { S: 'bad-time' }, g: { S: 'g1' }, t: { S: 'not a time' }, amount: { N: '1' } },
      },
      {
        kind: 'put' as const,
        item: {
          id: { S: 'bad-row' },
          g: { S: 'gpoison' },
          t: { N: String(Date.now() - 3_600_000) },
          amount: { N: '5' },
        },
      },
    ];
    const all = [...ops.slice(0, 25), bad[0]!, ...ops.slice(25, 45), bad[1]!, ...ops.slice(45)];
    await writeOps(clients.ddb, s.source, all, 1); // one at a time: the poison records sit mid-batch
    const logger = quietLogger();
    const worker = createStreamWorker({
      ...options(s, { client: faulty, logger, maxRetries: 1, retryBaseMs: 5, retryMaxMs: 20 }),
      write: { api: 'update-item' }, // the fault is injected on UpdateItem: one request a row
    });
    const stats = await runWorkerUntilIdle(worker, { quietMs: 600 });
    destroy();

    expect(await actualCells(clients.ddb, s.aggregates)).toEqual(
      expectedCells(all, new Set(['bad-time', 'bad-row'])),
    );
    const letters = await listDeadLetters({ client: clients.ddb, table: s.deadLetters });
    const byId = new Map(letters.map((l) => [l.record?.dynamodb?.Keys?.id?.S as string, l]));
    expect([...byId.keys()].sort()).toEqual(['bad-row', 'bad-time']);
    expect(byId.get('bad-time')?.code).toBe('VALUE_INVALID');
    expect(byId.get('bad-row')?.code).toBe('RETRIES_EXHAUSTED');
    expect(byId.get('bad-row')?.reason).toContain('ValidationException');
    expect(byId.get('bad-row')?.key.pk).toBe(`${s.streamArn}|${s.shardId}`);
    // nothing of it reached the table: every row it touches is pending for replay
    expect(byId.get('bad-row')?.pendingRows?.length).toBeGreaterThan(0);
    expect(stats.bisections).toBeGreaterThan(0);
    expect(stats.deadLettered).toBe(1); // the worker skipped one record; the handler dead-lettered the other
    const lease = await readLease(clients.ddb, s.leases, s.streamArn, s.shardId);
    expect(lease?.checkpoint?.S).toBe(await lastSequenceNumber(s.streamArn));
  });
});

describe('a stalled batch', () => {
  it('shows in stats() while it keeps failing (failed attempts, last error, backoff) and clears once it passes', async () => {
    const s = await setup('wk-stall');
    const ops = makeOps(31, 20, 8);
    await writeOps(clients.ddb, s.source, ops);
    const { ddb: faulty, destroy } = testClients();
    let throttle = true;
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        const table = (args as { input: { TableName?: string } }).input.TableName;
        if (throttle && context.commandName === 'UpdateItemCommand' && table === s.aggregates)
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'testThrottle' },
    );
    const worker = createStreamWorker(
      options(s, {
        client: faulty,
        maxRetries: Number.POSITIVE_INFINITY,
        retryBaseMs: 20,
        retryMaxMs: 100,
        retry: { maxAttempts: 1 },
        write: { api: 'update-item' }, // the throttling is injected on UpdateItem
      }),
    );
    await worker.start();
    try {
      const stalled = await waitFor(
        'the stall to show',
        () => {
          const st = worker.stats();
          return st.failingShards === 1 && st.failedAttempts >= 2 ? st : undefined;
        },
        120_000,
      );
      expect(stalled.records).toBe(0);
      expect(stalled.lastError).toContain('Throttl');
      const shard = stalled.shards[0];
      expect(shard?.failing?.attempts).toBeGreaterThanOrEqual(2);
      expect(shard?.failing?.stage).toBe('handler');
      expect(shard?.failing?.backoffMs).toBeGreaterThan(0);
      throttle = false;
      await waitFor(
        'the batch to pass',
        () => (worker.stats().records === ops.length ? true : undefined),
        120_000,
      );
      expect(worker.stats().failingShards).toBe(0);
      expect(worker.stats().shards[0]?.failing).toBeUndefined();
      expect(await actualCells(clients.ddb, s.aggregates)).toEqual(expectedCells(ops));
    } finally {
      await worker.stop();
      destroy();
    }
  });
});

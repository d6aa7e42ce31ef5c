import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  readLease,
  scanAll,
  tallies,
  writeOps,
} from '../../../../test/worker/support.ts';
import { readStreamRecords } from '../streams/index.ts';
import { createAggregateTable, createLeaseTable, createSourceTable } from '../tables/index.ts';
import { createStreamWorker } from './index.ts';
import { workerKey } from './lease.ts';
import { runWorkerUntilIdle } from './run-until-idle.ts';

const clients = testClients();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => clients.destroy());

interface Tables {
  source: string;
  streamArn: string;
  shardId: string;
  aggregates: string;
  leases: string;
}

async function tables(prefix: string): Promise<Tables> {
  const source = uniqueTableName(`${prefix}-src`);
  const aggregates = uniqueTableName(`${prefix}-agg`);
  const leases = uniqueTableName(`${prefix}-lease`);
  const [streamArn] = await Promise.all([
    createSourceTable(clients.ddb, source, { id: 'S' }),
    createAggregateTable(clients.ddb, aggregates),
    createLeaseTable(clients.ddb, leases),
  ]);
  const shards =
    (await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription
      ?.Shards ?? [];
  return { source, streamArn, shardId: shards[0]?.ShardId ?? '', aggregates, leases };
}

interface Line {
  event: string;
  batches?: number;
  records?: number;
}

/** Starts test/worker/worker-process.ts; `lines` collects its reports, `until` waits for one. */
async function spawnWorker(t: Tables, workerId: string, env: Record<string, string> = {}) {
  const endpoint = await ddbReady();
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/worker/worker-process.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DYNOTALLY_TEST_ENDPOINT: endpoint,
      DYNOTALLY_TEST_SOURCE: t.source,
      DYNOTALLY_TEST_AGGREGATES: t.aggregates,
      DYNOTALLY_TEST_LEASES: t.leases,
      DYNOTALLY_TEST_WORKER_ID: workerId,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Line[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Line);
    } catch {
      return;
    }
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const until = async (what: string, test: (lines: Line[]) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test(lines)) {
      if (child.exitCode !== null)
        throw new Error(`worker process exited (${child.exitCode}) before ${what}: ${stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { child, lines, until, exited };
}

async function lastSequenceNumber(streamArn: string): Promise<string> {
  const records = (await readStreamRecords(clients.streams, streamArn)).flatMap((s) => s.records);
  return records[records.length - 1]?.dynamodb?.SequenceNumber ?? '';
}

describe('stream worker processes', () => {
  it('SIGKILL mid-batch: another worker takes the shard over and the aggregates equal the oracle (exactly once)', async () => {
    const t = await tables('wk-kill');
    const ops = makeOps(41, 70, 25);
    // The process boots while the items are written; its long batching window cuts batches of exactly 20.
    const writing = writeOps(clients.ddb, t.source, ops);
    const crashy = await spawnWorker(t, 'crashy', {
      DYNOTALLY_TEST_SLOW_ROW_MS: '30',
      DYNOTALLY_TEST_BATCH_SIZE: '20',
      DYNOTALLY_TEST_BATCH_WINDOW_MS: '600000',
    });
    // Kill it after two batches are checkpointed and a few rows of the third are written.
    const rowsOfThird = (ls: Line[]) => ls.filter((l) => l.event === 'row' && l.batches === 2).length;
    await crashy.until('rows of the third batch', (ls) => rowsOfThird(ls) >= 3);
    crashy.child.kill('SIGKILL');
    expect((await crashy.exited).signal).toBe('SIGKILL');
    const written = rowsOfThird(crashy.lines);
    await writing;

    // What the crash left: a lease still held by the dead worker, a checkpoint short of the end, and
    // aggregates that are neither empty nor complete.
    const lease = await readLease(clients.ddb, t.leases, t.streamArn, t.shardId);
    expect(lease?.owner?.S).toBe('crashy');
    expect(lease?.checkpoint?.S).toBeDefined();
    expect(lease?.checkpoint?.S).not.toBe(await lastSequenceNumber(t.streamArn));
    const partial = await actualCells(clients.ddb, t.aggregates);
    expect(partial.size).toBeGreaterThan(0);
    expect(partial).not.toEqual(expectedCells(ops));

    // The rescuer reads from the checkpoint with the same batch size, so its first batch is the one the
    // crash interrupted: the rows already written are recognized by their watermarks and not added again.
    const rescuer = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: t.source,
      leaseTable: t.leases,
      table: t.aggregates,
      rollups: [tallies],
      workerId: 'rescuer',
      logger: quietLogger(),
      batchSize: 20,
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
    });
    const stats = await runWorkerUntilIdle(rescuer, { quietMs: 600, timeoutMs: 90_000 });
    expect(await actualCells(clients.ddb, t.aggregates)).toEqual(expectedCells(ops));
    expect(stats.apply.rowsAlreadyApplied).toBeGreaterThanOrEqual(written);
    const after = await readLease(clients.ddb, t.leases, t.streamArn, t.shardId);
    expect(after?.checkpoint?.S).toBe(await lastSequenceNumber(t.streamArn));
  }, 150_000);

  it('SIGTERM: the process finishes its batch, checkpoints, releases its lease and exits 0', async () => {
    const t = await tables('wk-term');
    const ops = makeOps(42, 40, 15);
    const writing = writeOps(clients.ddb, t.source, ops);
    const w = await spawnWorker(t, 'polite', {
      DYNOTALLY_TEST_SLOW_ROW_MS: '20',
      DYNOTALLY_TEST_BATCH_SIZE: '10',
      DYNOTALLY_TEST_LEASE_MS: '600000',
    });
    await w.until('a row of the second batch', (ls) => ls.some((l) => l.event === 'row' && l.batches === 1));
    w.child.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });
    await writing;
    const done = w.lines.filter((l) => l.event === 'batch').pop();
    expect(done?.batches).toBeGreaterThanOrEqual(2); // the batch in flight was finished, not abandoned

    const lease = await readLease(clients.ddb, t.leases, t.streamArn, t.shardId);
    expect(lease?.owner?.NULL).toBe(true);
    expect(lease?.expiresAt?.N).toBe('0');
    const records = (await readStreamRecords(clients.streams, t.streamArn)).flatMap((s) => s.records);
    expect(lease?.checkpoint?.S).toBe(records[(done?.records ?? 0) - 1]?.dynamodb?.SequenceNumber);
    expect(
      (await scanAll(clients.ddb, t.leases)).filter((i) => i.pk?.S === workerKey(t.streamArn, 'polite')),
    ).toEqual([]);

    // With a 10-minute lease duration, only a released lease lets the next worker in within the test.
    const next = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: t.source,
      leaseTable: t.leases,
      table: t.aggregates,
      rollups: [tallies],
      logger: quietLogger(),
      leaseDurationMs: 600_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
    });
    const stats = await runWorkerUntilIdle(next, { quietMs: 600, timeoutMs: 60_000 });
    expect(stats.records).toBe(ops.length - (done?.records ?? 0));
    expect(await actualCells(clients.ddb, t.aggregates)).toEqual(expectedCells(ops));
  }, 150_000);
});

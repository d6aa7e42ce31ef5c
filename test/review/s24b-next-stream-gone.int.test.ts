// Review s24b (stream worker, following the source table to the NEXT stream, d18ca3a): the next stream is taken from
// the ListStreams listing (`nextStreamAfter`) and switched to without asking DynamoDB Streams whether it is still
// there. Before d18ca3a the worker only ever went on to the table's latest stream, which always exists; now it can go
// on to a middle stream, disabled since, whose records are kept for 24 hours only: a stream listed at the switch and
// gone (DescribeStream: ResourceNotFoundException) by the worker's first discovery on it — the 24 hours run out in
// between, or the listing lags behind its deletion — leaves the worker stuck. Every discovery on the gone stream fails
// before `followSourceTable` is reached, so the worker never lists the table's streams again and never goes on to the
// latest one: it logs "stream discovery failed" for ever, and everything written to the table from then on is never
// counted (trimmed 24 hours later). The start path does the same with the stream after the newest one known
// (`resumeOlderStream`: `streamExists` is asked for unfinished older streams only, not for `next`): the worker
// cannot start at all while the listing names the gone stream.
// Scenario 1: a worker reads stream A; its reads are held while the stream is re-enabled twice (A → B → C), b written
// to B and c to C; B is then gone (DescribeStream and GetShardIterator of B answer ResourceNotFoundException, as the
// real service does once a disabled stream's 24 hours are over); the reads go on.
// Observed: the worker switches to B and stays there (DescribeStream of B refused ~1 a second, 118 times in 2 min);
// c is never counted (sum 1 instead of 101).
// Expected: a gone stream is skipped (as `resumeOlderStream` skips a gone unfinished stream): the worker goes on to C
// and counts c (a + c: B's b is lost with B, unavoidably).
// Scenario 2: the same, then the stuck worker stops (A read to its end, no lease of B, C the latest) and another starts.
// Observed: start() rejects with ResourceNotFoundException (it starts on B, the stream after A in the listing).
// Expected: it starts (on C) and counts c.
// Suggested fix: in nextTableStream, go past a listed stream that DescribeStream says does not exist (streamExists, as
// at start) — in both the running and the start path; and in discover(), a ResourceNotFoundException of the current
// stream of a worker given sourceTable should look for the next stream (followSourceTable) instead of failing the
// discovery for ever.
// Severity: data loss (everything written after the stuck switch) / start failure; rare trigger (a middle stream that
// runs out of its 24 hours around the switch), permanent effect.
// Fixed in session 24: a worker following its source table whose current stream is gone (DescribeStream:
// ResourceNotFoundException) logs it once and goes on to the table's next stream, instead of failing every discovery
// (`currentShards`): at start as while running. Scenario 2 is now the start path itself (a worker started after the
// two re-enables, B gone), and scenario 3 a stream gone after the worker switched to it and leased its shard.
// Review s24d then found that one refusal must not make a stream gone: an older stream is taken as gone only after
// `streamGoneAfterMs` of refusals (2 s here), the table's latest never, and a start on a refused older stream goes on.
// Break-checks: with a gone stream thrown as before, all three fail; with the start not going on, scenario 2 fails.
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient, signal } from '../support/held-client.ts';
import { actualCells, expectedCells, waitFor, writeOps } from '../worker/support.ts';
import { amountOrder, followingWorker, reenableStream, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// amounts 1, 10, 100: the sum tells which orders were counted
const a = amountOrder('a', 1);
const b = amountOrder('b', 10);
const c = amountOrder('c', 100);

const notFound = (arn: string) =>
  Object.assign(new Error(`Requested resource not found: Stream: ${arn} not found`), {
    name: 'ResourceNotFoundException',
  });

/**
 * A streams client on which `gone.arn` (once set) does not exist, and whose GetRecords wait while `gone.holding`.
 * `gone.refused` counts the DescribeStream requests of the gone stream refused.
 */
function goneClient() {
  const state = {
    arn: undefined as string | undefined,
    holding: false,
    refused: 0,
    held: signal(),
    released: signal(),
  };
  const streams = heldClient(clients.streams, async (command) => {
    if (command instanceof DescribeStreamCommand || command instanceof GetShardIteratorCommand) {
      if (state.arn !== undefined && command.input.StreamArn === state.arn) {
        if (command instanceof DescribeStreamCommand) state.refused += 1;
        throw notFound(state.arn);
      }
    }
    if (state.holding && command instanceof GetRecordsCommand) {
      state.held.resolve();
      await state.released.promise;
    }
  });
  return { state, streams };
}

function worker(
  tables: { source: string; aggregates: string; leases: string },
  workerId: string,
  streamsClient: ReturnType<typeof goneClient>['streams'],
  streamArn?: string,
) {
  return followingWorker(clients, tables, workerId, {
    streamsClient,
    ...(streamArn === undefined ? {} : { streamArn }),
    // a stream refused for 2 s is taken as gone (default 5 min: one refusal must not pass a live stream over)
    streamGoneAfterMs: 2_000,
  });
}

/**
 * A worker on A counts a; its reads are held while the stream is re-enabled twice (b to B, c to C); B is made gone;
 * the reads go on.
 */
async function stuckOnGoneStream(prefix: string) {
  const tables = await sourceTables(clients.ddb, prefix);
  const gone = goneClient();
  const w = worker(tables, `${prefix}-1`, gone.streams);
  await w.start();
  await writeOps(clients.ddb, tables.source, [a]);
  await waitFor(
    'a counted',
    async () => ((await actualCells(clients.ddb, tables.aggregates)).size > 0 ? true : undefined),
    120_000,
  );
  gone.state.holding = true;
  await gone.state.held.promise;
  await reenableStream(clients.ddb, tables.source);
  const middle = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
  await writeOps(clients.ddb, tables.source, [b]);
  await reenableStream(clients.ddb, tables.source);
  await writeOps(clients.ddb, tables.source, [c]);
  const latest = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
  // B's 24 hours are over: DynamoDB Streams no longer has it
  gone.state.arn = middle;
  gone.state.released.resolve();
  return { tables, gone, w, middle, latest };
}

describe('s24b: the next stream in the listing is gone by the time the worker reads it', () => {
  it('a running worker goes on past it to the latest stream', { timeout: 600_000 }, async () => {
    const { tables, w, latest } = await stuckOnGoneStream('s24b-gone-run');
    try {
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 180_000, interval: 500 })
        .toEqual(expectedCells([a, c]));
      expect(w.stats().streamArn).toBe(latest);
    } finally {
      await w.stop();
    }
  });

  it('a worker starting after the stream was re-enabled twice goes past it too', {
    timeout: 600_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 's24b-gone-start');
    const gone = goneClient();
    const w1 = worker(tables, 's24b-gone-start-1', gone.streams);
    try {
      await w1.start();
      await writeOps(clients.ddb, tables.source, [a]);
      await waitFor(
        'a counted',
        async () => ((await actualCells(clients.ddb, tables.aggregates)).size > 0 ? true : undefined),
        120_000,
      );
    } finally {
      await w1.stop();
    }
    const first = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    await reenableStream(clients.ddb, tables.source);
    gone.state.arn = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    await writeOps(clients.ddb, tables.source, [b]);
    await reenableStream(clients.ddb, tables.source);
    await writeOps(clients.ddb, tables.source, [c]);
    const latest = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    // A read to its end (by a worker on A alone), so the next worker starts past it: on B, the stream after the newest
    // one the lease table knows, which is gone
    await runWorkerUntilIdle(worker(tables, 's24b-gone-start-a', gone.streams, first), {
      timeoutMs: 180_000,
      quietMs: 2_000,
    });
    const w2 = worker(tables, 's24b-gone-start-2', gone.streams);
    try {
      await w2.start();
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 180_000, interval: 500 })
        .toEqual(expectedCells([a, c]));
      expect(w2.stats().streamArn).toBe(latest);
    } finally {
      await w2.stop();
    }
  });

  it('a stream gone after the worker switched to it, before it was read, is left for the next', {
    timeout: 600_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 's24b-gone-after');
    let middle: string | undefined;
    let described = 0;
    let holding = false;
    const held = signal();
    const released = signal();
    // B exists for the worker's first DescribeStream of it (its first discovery on it, which creates its shard's
    // lease), then is gone: its shard's iterator is refused (the consumer finishes the shard), and so are the later
    // DescribeStreams
    const streams = heldClient(clients.streams, async (command) => {
      if (
        middle !== undefined &&
        command instanceof DescribeStreamCommand &&
        command.input.StreamArn === middle
      ) {
        described += 1;
        if (described > 1) throw notFound(middle);
      }
      if (
        middle !== undefined &&
        command instanceof GetShardIteratorCommand &&
        command.input.StreamArn === middle
      )
        throw notFound(middle);
      if (holding && command instanceof GetRecordsCommand) {
        held.resolve();
        await released.promise;
      }
    });
    const w = worker(tables, 's24b-gone-after', streams);
    try {
      await w.start();
      await writeOps(clients.ddb, tables.source, [a]);
      await waitFor(
        'a counted',
        async () => ((await actualCells(clients.ddb, tables.aggregates)).size > 0 ? true : undefined),
        120_000,
      );
      holding = true;
      await held.promise;
      await reenableStream(clients.ddb, tables.source);
      middle = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
      await writeOps(clients.ddb, tables.source, [b]);
      await reenableStream(clients.ddb, tables.source);
      await writeOps(clients.ddb, tables.source, [c]);
      const latest = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
      released.resolve();
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 180_000, interval: 500 })
        .toEqual(expectedCells([a, c]));
      expect(w.stats().streamArn).toBe(latest);
      // the worker did switch to B and lease its shard (and found it gone there), not pass it at the listing
      expect(described).toBeGreaterThan(1);
    } finally {
      released.resolve();
      await w.stop();
    }
  });
});

// What: `stop()` while the worker's start has a request in flight that the endpoint is slow to answer (not throttled:
// s42w ended the patient retries between attempts, but an attempt already sent was left to end by its own bound).
// The start's DescribeTable, DescribeStream and ListStreams are bounded by `readTimeoutMs` and its lease-table calls by
// `leaseDurationMs`, 30 s here as `readTimeoutMs` is by default: `stop()` (SIGTERM, Ctrl-C) waited that long, past a
// Kubernetes grace period of 30 s.
// Here: a worker whose clients (no request timeout, as a user makes them) reach DynamoDB Local through the fault
// proxy, which holds one kind of request for 40 s (the start's DescribeTable, DescribeStream, the lease table's Scan
// for older streams, or its PutItem of the presence); `stop()` once the held request is in flight.
// Observed: `stop()` returned after the request's bound, about 30 s; for the Scan after the proxy's 40 s (the Scan
// for the source table's older streams, olderStreams, had no bound at all).
// Expected: `stop()` returns within seconds (10 s here: wide for a loaded machine, a third of the bound); `start()`
// rejects as stopped (`WORKER_ERROR`, `details.stopped`), `done` resolves, no presence item is left, and nothing
// rejects unhandled.
// Severity: low (a stop during a slow start is killed by the supervisor instead; nothing is lost: no lease is held
// before the start's first cycle ends).
// Fixed: while the worker starts, its coordination requests (describeBound / tableBound / listBound, and the
// LeaseStore's coordination calls through its `interrupt` signal) are sent with `startAbort` beside their bound
// (boundedCall's `stop`): `stop()` aborts the request in flight, and the start fails as stopped (stream-worker.ts).
// olderStreams' Scan is bounded by `leaseDurationMs` as the LeaseStore's calls are (older-streams.ts).
// Break-check: without the `stop` signal in boundedCall (bounded-call.ts), each case's stop takes about 30 s (fails).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../packages/dynotally/src/local/client-config.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { quietLogger, scanAll, tallies, workerTables } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const local = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

describe('s44w: stop() while a start request is slow to answer', () => {
  it.each(['DescribeTable', 'DescribeStream', 'Scan', 'PutItem'])(
    'aborts the %s in flight and returns within seconds',
    { timeout: 150_000 },
    async (held) => {
      const endpoint = await ddbReady();
      const { source, aggregates, leases } = await workerTables(clients.ddb, `s44w${held.toLowerCase()}`);
      const proxy = await startFaultProxy({ target: endpoint, counts: (op) => op === held });
      proxy.setSchedule([{ after: 0, fault: { kind: 'delay', ms: 40_000 }, requests: 1_000 }]);
      // clients as a user makes them: no request timeout, so only the worker's own bounds end a request
      const ddb = new DynamoDBClient(local(proxy.endpoint));
      const streams = new DynamoDBStreamsClient(local(proxy.endpoint));
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      const w = createStreamWorker({
        client: ddb,
        streamsClient: streams,
        sourceTable: source,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        workerId: `s44w-${held}`,
        logger: quietLogger(),
        leaseDurationMs: 30_000,
        heartbeatMs: 1_000,
      });
      try {
        const started = w.start().then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        await expect.poll(() => proxy.injected.delay, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 500)); // the held request is in flight
        const from = Date.now();
        await w.stop();
        const took = Date.now() - from;
        const start = await started;
        const done = await w.done.then(
          () => 'resolved',
          () => 'rejected',
        );
        await new Promise((r) => setTimeout(r, 200)); // a rejection left behind would be reported by now
        const presences = (await scanAll(clients.ddb, leases)).filter((i) => i.pk?.S?.startsWith('worker|'));
        const error = start.ok
          ? undefined
          : (start.error as { code?: string; details?: { stopped?: boolean } });
        expect({
          fast: took < 10_000 ? true : took,
          start: error === undefined ? 'started' : `${error.code} stopped=${error.details?.stopped}`,
          done,
          presences: presences.length,
          unhandled,
        }).toEqual({
          fast: true,
          start: 'WORKER_ERROR stopped=true',
          done: 'resolved',
          presences: 0,
          unhandled: [],
        });
      } finally {
        process.off('unhandledRejection', onUnhandled);
        await w.stop();
        await proxy.close();
        ddb.destroy();
        streams.destroy();
      }
    },
  );
});

// What: a `GetRecords` that never answers. The write side has `applyTimeoutMs` for a call that hangs (a request on a
// client without timeouts, a dead connection), but the consumer's reads have no bound: a streams client passed in
// (`streamsClient`, e.g. `new DynamoDBStreamsClient({})`, whose requests have no timeout by default) whose GetRecords
// hangs on a connection that never answers keeps its shard, and the heartbeat renews the lease all the while, so no
// other worker takes it over: the shard stalls with nothing said (`stats().failingShards` 0, no error) until the
// operating system gives the connection up (TCP keepalive: minutes), and `stop()` waits for it as long (the stop's
// abort does not reach the request).
// Here: a streams client without timeouts behind the fault proxy, which holds the first GetRecords for 2 minutes
// (forwarded to DynamoDB Local afterwards, as a slow network would); the records are not counted within 60 s.
// Expected: a read given up after a bound (and on stop), then read again from the same position; the shard goes on.
// Severity: low-medium (a silent stall of a shard, only with a client the worker did not make; clients made from
// `streamsClientConfig`/`clientConfig` have a 30 s request timeout).
// Fixed (session 38): the consumer sends its stream reads with a signal that ends them after `readTimeoutMs`
// (default 30 s, as the worker's own clients time requests out) or when it stops or loses its lease
// (worker/bounded-read.ts); a GetRecords given up is counted as an error, logged and sent again from the same
// position. With the stop signal alone, the first test fails as before; with the timeout alone, the second sees
// `stop()` wait 59 s for the held read.
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../packages/dynotally/src/local/client-config.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
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

/** A worker on a table of 20 items whose streams client (no request timeout) reaches DynamoDB Local through a proxy that holds the first GetRecords for 2 minutes. */
async function hungRead(name: string, readTimeoutMs: number) {
  const endpoint = await ddbReady();
  const { source, aggregates, leases } = await workerTables(clients.ddb, name);
  const ops = makeOps(3804, 20, 6);
  await writeOps(clients.ddb, source, ops);
  const proxy = await startFaultProxy({ target: endpoint, counts: (op) => op === 'GetRecords' });
  proxy.setSchedule([{ after: 0, fault: { kind: 'delay', ms: 120_000 }, requests: 1 }]);
  // a client as a user makes it: no request timeout
  const streams = new DynamoDBStreamsClient({
    endpoint: proxy.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const logger = quietLogger();
  const w = createStreamWorker({
    client: clients.ddb,
    streamsClient: streams,
    sourceTable: source,
    leaseTable: leases,
    table: aggregates,
    rollups: [tallies],
    workerId: `${name}-w`,
    logger,
    leaseDurationMs: 3_000,
    heartbeatMs: 500,
    pollIntervalMs: 100,
    readTimeoutMs,
  });
  return { w, proxy, streams, logger, ops, aggregates };
}

describe('s38w: a GetRecords that never answers', () => {
  it('is given up and read again: the shard does not stall under a renewed lease', {
    timeout: 240_000,
  }, async () => {
    const { w, proxy, streams, logger, ops, aggregates } = await hungRead('s38whang', 2_000);
    try {
      await w.start();
      await expect
        // well within the proxy's 2-minute hold, which a read never given up waits out
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 250 })
        .toEqual(expectedCells(ops));
      expect(logger.lines.some((l) => l.message.includes('did not answer within readTimeoutMs'))).toBe(true);
    } finally {
      await proxy.close(); // the held request's connection is reset, so stop() does not wait 2 minutes
      await w.stop();
      streams.destroy();
    }
  });

  it('is ended by stop(), which does not wait for it, and fails nothing', { timeout: 240_000 }, async () => {
    const { w, proxy, streams, logger } = await hungRead('s38whangstop', 60_000);
    try {
      await w.start();
      await expect.poll(() => proxy.requests, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 500)); // the read is held
      const started = Date.now();
      await w.stop();
      // not the read's 60 s nor the proxy's 2 minutes (a stop at load 15 takes seconds of its own)
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await proxy.close();
      streams.destroy();
    }
  });
});

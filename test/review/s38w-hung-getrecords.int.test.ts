// What: a `GetRecords` that never answers. The write side has `applyTimeoutMs` for a call that hangs (a request on a
// client without timeouts, a dead connection), but the consumer's reads have no bound: a streams client passed in
// (`streamsClient`, e.g. `new DynamoDBStreamsClient({})`, whose requests have no timeout by default) whose GetRecords
// hangs on a connection that never answers keeps its shard, and the heartbeat renews the lease all the while, so no
// other worker takes it over: the shard stalls with nothing said (`stats().failingShards` 0, no error) until the
// operating system gives the connection up (TCP keepalive: minutes), and `stop()` waits for it as long (the stop's
// abort does not reach the request).
// Here: a streams client without timeouts behind the fault proxy, which holds the first GetRecords for 2 minutes
// (forwarded to DynamoDB Local afterwards, as a slow network would); the records are not counted within 15 s.
// Expected: a read given up after a bound (and on stop), then read again from the same position; the shard goes on.
// Severity: low-medium (a silent stall of a shard, only with a client the worker did not make; clients made from
// `streamsClientConfig`/`clientConfig` have a 30 s request timeout).
// Not fixed: it needs a read bound the worker gives GetRecords/GetShardIterator (an AbortSignal with a timeout,
// joined with the consumer's stop signal), whose default and option name are a design choice.
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

describe('s38w: a GetRecords that never answers', () => {
  it.fails('is given up and read again: the shard does not stall under a renewed lease', {
    timeout: 120_000,
  }, async () => {
    const endpoint = await ddbReady();
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's38whang');
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
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's38w-hang',
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 100,
    });
    try {
      await w.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 15_000, interval: 250 })
        .toEqual(expectedCells(ops));
    } finally {
      await proxy.close(); // the held request's connection is reset, so stop() does not wait 2 minutes
      await w.stop();
      streams.destroy();
    }
  });
});

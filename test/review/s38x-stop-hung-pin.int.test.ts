// What: a consumer that opened its shard at LATEST and has no checkpoint yet pins its position when it stops
// (`pinLatest` → `findLatestPin`: GetShardIterator(TRIM_HORIZON) and GetRecords pages). Those reads are sent without
// the bound 60d9c773 gave the consumer's own reads, and their `deadline` is only checked between pages: with a
// `streamsClient` passed in without request timeouts (the case 60d9c773 is for), a GetRecords that never answers
// holds the consumer's exit, so `stop()` never returns; and since a74ea062 the heartbeat renews the leases until every
// consumer has stopped, so the shard stays held, renewed, for good: no other worker can take it (before a74ea062 the
// lease at least ran out and the shard moved on).
// Expected: the pin's reads end by its deadline (the lease's end known when it starts); the pin is given up (the next
// owner resumes by `latestFrom`), the lease released, `stop()` returns.
// Severity: medium (a shard blocked for good under a renewed lease by a stopping worker, after one unanswered read;
// only with a passed client without timeouts or a dead connection).
// Fixed: latest-pin.ts sends each read of the skim with `AbortSignal.timeout` of what is left to its deadline.
// Break-check: without the signal, the lease is still held and renewed 6 s after stop() (fails).
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../packages/dynotally/src/local/client-config.ts';
import { describeStreamShards } from '../../packages/dynotally/src/streams/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { quietLogger, readLease, tallies, waitFor, workerTables } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s38x: stop() while a LATEST lease pins its position through a read that never answers', () => {
  it('gives the pin up by its deadline, releases the lease and returns', { timeout: 120_000 }, async () => {
    const endpoint = await ddbReady();
    const { source, aggregates, leases, streamArn } = await workerTables(clients.ddb, 's38xpin');
    const proxy = await startFaultProxy({ target: endpoint, counts: (op) => op === 'GetRecords' });
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
      workerId: 's38x-pin',
      logger: quietLogger(),
      startingPosition: 'LATEST',
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 100,
    });
    let stopped = false;
    try {
      await w.start();
      const shardId = (await describeStreamShards(clients.streams, streamArn))[0]?.ShardId ?? '';
      await waitFor('the shard read at LATEST', () => (proxy.requests > 1 ? true : undefined));
      // from now on every GetRecords is held for 2 minutes (the pin's skim among them)
      proxy.setSchedule([{ after: 0, fault: { kind: 'delay', ms: 120_000 }, requests: 1_000 }]);
      const stopping = w.stop().then(() => {
        stopped = true;
      });
      stopping.catch(() => {});
      await new Promise((r) => setTimeout(r, 6_000)); // two lease durations
      const lease = await readLease(clients.ddb, leases, streamArn, shardId);
      const held = lease?.owner?.S === 's38x-pin' && Number(lease?.expiresAt?.N) > Date.now();
      expect({ held, stopped }).toEqual({ held: false, stopped: true });
    } finally {
      await proxy.close(); // the held requests' connections are reset
      await w.stop();
      streams.destroy();
    }
  });
});

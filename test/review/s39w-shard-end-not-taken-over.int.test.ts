// What: a shard read to its end is checkpointed `SHARD_END`, which also gives its lease up (owner null). A renewal of
// that lease sent by the heartbeat while the consumer finishes lands after the checkpoint, finds no owner, and the
// worker logged `lease taken over by another worker; stopping this shard`, a warning that is false: nobody took the
// shard over, this worker finished it.
// Here: a fake stream with one closed shard (three records) and its open child, on DynamoDB Local; the SHARD_END
// checkpoint waits until a renewal of the shard is under way, which is sent once the checkpoint is in.
// Expected: the shard counted as ended, no warning, no lease counted as lost.
// Severity: low (a false warning on every closed shard a renewal happens to meet; operators chase a takeover that was
// never there).
// Fixed: the consumer says it is finishing before it sends SHARD_END (`ShardConsumer.finishing`), and the heartbeat
// takes a failed renewal of a finishing consumer's lease for the end it is (stream-worker.ts `renewAll`: no warning,
// no `markLost`; the checkpoint's own answer tells a lost lease).
// Break-check: without the `finishing` test in renewAll the warning is logged (fails).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { SHARD_END } from '../../packages/dynotally/src/worker/lease.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import { makeOps, quietLogger, readLease, tallies, waitFor } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s39w: the lease of a shard read to its end', () => {
  it('is not reported taken over when a renewal meets its SHARD_END', { timeout: 60_000 }, async () => {
    const stream = new FakeStream();
    stream.addShard('shardId-A0');
    stream.addShard('shardId-A1', 'shardId-A0');
    for (const op of makeOps(3901, 3, 3, 's39w')) stream.append('shardId-A0', op);
    stream.close('shardId-A0');
    const aggregates = uniqueTableName('s39wend-agg');
    const leases = uniqueTableName('s39wend-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);

    // the worker's own client (DynamoDB Local): SHARD_END of A0 waits for a renewal of A0, sent after it is in
    const own = testClients();
    const isA0 = (input: Record<string, unknown>) => JSON.stringify(input.Key ?? {}).includes('shardId-A0');
    let renewing = () => {};
    const renewalUnderWay = new Promise<void>((r) => {
      renewing = r;
    });
    let ended = () => {};
    const endIn = new Promise<void>((r) => {
      ended = r;
    });
    own.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (context.commandName !== UpdateItemCommand.name || !isA0(input)) return next(args);
        const values = JSON.stringify(input.ExpressionAttributeValues ?? {});
        const update = String(input.UpdateExpression ?? '');
        if (values.includes(SHARD_END) && update.includes('#cp')) {
          await renewalUnderWay;
          const out = await next(args);
          ended();
          return out;
        }
        if (update.startsWith('SET #exp = :exp')) {
          renewing();
          await endIn;
        }
        return next(args);
      },
      { step: 'initialize', name: 's39wShardEnd' },
    );
    const logger = quietLogger();
    const w = createStreamWorker({
      client: own.ddb,
      streamsClient: stream.client(),
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's39w-end',
      logger,
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
    });
    try {
      await w.start();
      await waitFor('A0 read to its end', async () =>
        (await readLease(clients.ddb, leases, stream.arn, 'shardId-A0'))?.checkpoint?.S === SHARD_END
          ? true
          : undefined,
      );
      await waitFor('A0 counted as ended', () => (w.stats().shardsEnded >= 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 1_000)); // the renewal's answer comes back meanwhile
      const warnings = logger.lines.filter((l) => l.message.includes('taken over'));
      expect({ warnings, lost: w.stats().leasesLost }).toEqual({ warnings: [], lost: 0 });
    } finally {
      await w.stop();
      own.destroy();
    }
  });
});

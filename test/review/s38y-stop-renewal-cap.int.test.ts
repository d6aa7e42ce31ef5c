// What (noticed by review s38x): since the heartbeat renews leases until every consumer has stopped (a74ea062, so a
// batch in flight at `stop()` is checkpointed, not abandoned), a consumer whose exit waits on a call that never
// answers (its lease's release through a passed DynamoDB client without request timeouts) kept its shard held for
// good: the lease renewed every heartbeat, so no other worker took the shard over. Before a74ea062 the lease at least
// ran out.
// Expected: renewals during a stop end `applyTimeoutMs` + `leaseDurationMs` after it began, whatever the consumers
// do (a batch in flight is bounded by `applyTimeoutMs`), so the lease runs out and another worker can take the shard.
// Severity: medium (a shard held for good by a stopping process), only with a client the worker did not make.
// Fixed: stream-worker.ts `stopConsumersRenewing` caps the renewals. Without the cap, the lease's expiry keeps moving
// 10 s after the stop began.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { readStreamRecords } from '../../packages/dynotally/src/streams/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  readLease,
  tallies,
  workerTables,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** A client of its own whose lease releases (`SET #owner = :null …`) are held, unanswered, while `held` is set. */
function holdingReleases(): { client: DynamoDBClient; hold(): void; letGo(): void } {
  const c = testClients();
  afterAll(() => c.destroy());
  let held: Promise<void> | undefined;
  let letGo = () => {};
  c.ddb.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { UpdateExpression?: string };
      if (held !== undefined && input.UpdateExpression?.startsWith('SET #owner = :null')) await held;
      return next(args);
    },
    { step: 'initialize', name: 'holdingReleases' },
  );
  return {
    client: c.ddb,
    hold: () => {
      held = new Promise<void>((r) => {
        letGo = r;
      });
    },
    letGo: () => letGo(),
  };
}

describe('s38y: stop() while a consumer cannot release its lease', () => {
  it('stops renewing after applyTimeoutMs + leaseDurationMs, so the lease runs out', {
    timeout: 120_000,
  }, async () => {
    const { source, aggregates, leases, streamArn } = await workerTables(clients.ddb, 's38ycap');
    const ops = makeOps(3811, 20, 6);
    await writeOps(clients.ddb, source, ops);
    const held = holdingReleases();
    const w = createStreamWorker({
      client: held.client,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's38y-cap',
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 100,
      applyTimeoutMs: 2_000,
    });
    const shardId = (await readStreamRecords(clients.streams, streamArn))[0]?.shardId ?? '';
    let stopped: Promise<void> | undefined;
    try {
      await w.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 250 })
        .toEqual(expectedCells(ops));
      held.hold();
      const began = Date.now();
      stopped = w.stop();
      // 10 s on: past the cap (2 s + 3 s) and the lease's last expiry (at most 3 s after the last renewal)
      await new Promise((r) => setTimeout(r, 10_000));
      const lease = await readLease(clients.ddb, leases, streamArn, shardId);
      expect(lease?.owner?.S).toBe('s38y-cap'); // the release is still held
      expect(Number(lease?.expiresAt?.N)).toBeLessThan(Date.now()); // but the lease ran out: another worker may take it
      expect(Number(lease?.expiresAt?.N)).toBeLessThanOrEqual(began + 5_000 + 3_000 + 1_000);
    } finally {
      held.letGo();
      await (stopped ?? w.stop());
    }
  });
});

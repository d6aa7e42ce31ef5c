// Review s34y (send deadline, 5a7a5b5): the Applier now refuses every request of an exactly-once batch from its
// oldest on-time record's creation + 24 h 40 min on (`sendDeadline`, enforced in `fencedClient`), so a slow or held
// call (a stream worker's applyTimeoutMs up to Infinity, a direct caller) cannot write after another shard's write
// pruned the records' exactly-once states. The Redis buffer's direct fallback (`onRedisDown: 'direct'`) writes the
// same exactly-once row states through an inner Applier built with `lateRecords: 'apply'` (redis/buffered-applier.ts:
// "late records are this applier's to decide") and its own lease-only `fencedClient`: `lateGuard` is false there, so
// no deadline is set, and the buffered applier sets none of its own. The late check is made once, when the call
// starts, exactly as the fix's probe (s34w-late-write-in-flight) showed for the Applier.
// Scenario: Redis down, records 24 h old (on time), the call's first request is held for an hour (a throttled call
// under a worker with a long applyTimeoutMs); the requests after it are sent 24 h 60 min after the records' creation.
// Observed: the direct fallback sends its counter rows (PartiQL INSERT / UPDATE batches carrying the exactly-once
// state) and its fence update 20 minutes past the deadline; the plain Applier (the control below, same client and
// clock) refuses them with RECORD_TOO_OLD and sends none.
// Expected: no request of the buffered applier's direct exactly-once batch goes out past the send deadline either
// (the inner Applier given the deadline of the records the buffered applier judged on time, or the buffered applier
// wrapping its client with `sendDeadline` as applier.ts does).
// Severity: low (as s34w-late-write-in-flight: a day-late redelivery while Redis is down and a single call held over
// ~10 minutes), but the fix's promise ("no request of an exactly-once batch goes out past ...") does not hold for
// the Redis buffer's direct path.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { flakyClient } from '../redis/fail-fast-redis.ts';
import { type BufferEnv, fakeClock, quietLogger, sampleWorkload, startBufferEnv } from '../redis/harness.ts';
import { heldClient } from '../support/held-client.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);
const SHARD = 'shardId-0001';

describe('review s34y: send deadline on the Redis buffer direct fallback', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const { rollups } = testRollups('UTC');
  const records = simulate(sampleWorkload(7, 6)).records.slice(0, 6) as DynamoDBRecord[];
  const oldest = Math.min(...records.map((r) => r.dynamodb?.ApproximateCreationDateTime as number));
  // 24 h 30 min (late after) + 10 min (SEND_AFTER_LATE_SECONDS)
  const deadline = (oldest + 24 * 3600 + 40 * 60) * 1000;

  /**
   * A client whose first write (after the late check) is held an hour on `clock`; records the writes of rows (not
   * the `~ret#` retention bookkeeping, which goes through the applier's own client) that reach it past `deadline`.
   */
  function slowClient(clock: ReturnType<typeof fakeClock>) {
    const past: string[] = [];
    let held = false;
    const client = heldClient(env.ddb as DynamoDBClient, async (command) => {
      const c = command as { constructor: { name: string }; input: Record<string, unknown> };
      if (READS.has(c.constructor.name)) return;
      const text = JSON.stringify(c.input);
      if (text.includes('~ret#')) return;
      if (!held) {
        held = true;
        clock.advance(HOUR); // held: a throttled call under a long applyTimeoutMs
        return;
      }
      if (clock.now() >= deadline) past.push(`${c.constructor.name} ${text.slice(0, 200)}`);
    });
    return { client, past };
  }

  it('control: the Applier sends nothing past the deadline', async () => {
    const { table } = await env.fresh('s34y-ctl');
    const clock = fakeClock((oldest + 24 * 3600) * 1000); // the records are 24 h old: on time
    const { client, past } = slowClient(clock);
    const applier = new Applier({ client, table, rollups, now: clock.now });
    const failed = await applier.apply({ records, shardId: SHARD }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((failed as { code?: string } | undefined)?.code).toBe('RECORD_TOO_OLD');
    expect(past).toEqual([]);
  });

  it("onRedisDown 'direct': no request of the batch goes out past the deadline", async () => {
    const { table, keyPrefix } = await env.fresh('s34y-direct');
    const clock = fakeClock((oldest + 24 * 3600) * 1000);
    const { client, past } = slowClient(clock);
    const flaky = await flakyClient(env.server.url);
    flaky.down();
    try {
      const applier = createBufferedApplier({
        client,
        table,
        rollups,
        bucketMs: MINUTE,
        keyPrefix,
        now: clock.now,
        logger: quietLogger(),
        redis: flaky.client,
        onRedisDown: 'direct',
      });
      const mode = await applier.apply({ records, shardId: SHARD }).then(
        (r) => r.buffer.mode,
        () => 'failed',
      );
      expect(mode).not.toBe('redis');
      expect(past).toEqual([]);
    } finally {
      flaky.client.disconnect();
    }
  });
});

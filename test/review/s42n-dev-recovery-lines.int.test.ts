// Review s42n (dev stack): the dev stack's failure lines had two gaps left by s41s. The worker's warnings were
// rate-limited per message but never said when the worker worked again (nothing called `succeeded` for them), and
// the S4 buffer's lines (its flusher and buffered applier, `S4 buffer error: flush failed …`) were not rate-limited
// at all: a DynamoDB outage printed one per flush tick for as long as it lasted, and nothing said when flushes went
// through again.
// Expected: per part, the first failure at once, then at most a line a minute with a count; one line when it works
// again (`worker: reads and writes go through again …`, `S4 buffer: flushes go through again …`).
// Fixed (s42n): dev/quiet-logger.ts (one logger per part over the shared repeat streaks), the worker's recovery from
// its progress in dev-stack.ts (no new error since its last progress, no shard failing), the S4 buffer's from its
// flusher's steps (`recoveryOnFlush`, buffered-s4.ts).
// Break-check: with dev-stack.ts's `onProgress: workerProgress` removed, no `worker: … again` line (the test fails at
// its wait); with buffered-s4.ts's logger back to a plain line per call (`quietLogger(ctx.log, undefined, …)`), the
// outage prints a `S4 buffer error: flush failed` line per tick (5 or more in 8 s), and no recovery line.
import { afterAll, describe, expect, it } from 'vitest';
import { bufferedS4 } from '../../packages/dynotally-cli/src/dev/buffered-s4.ts';
import { type DevStack, startDevStack } from '../../packages/dynotally-cli/src/dev/index.ts';
import { ddbReady, stackTables } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { outage, waitForLines } from '../support/outage-lines.ts';

describe('an outage of the DynamoDB given with --endpoint (worker and S4 buffer lines)', {
  timeout: 480_000,
}, () => {
  let stack: DevStack | undefined;
  let proxy: FaultProxy | undefined;
  afterAll(async () => {
    proxy?.heal();
    await stack?.stop();
    await proxy?.close();
  });

  it('says the worker’s and the S4 buffer’s failures once, and says when each works again', async () => {
    const lines: string[] = [];
    proxy = await startFaultProxy({ target: await ddbReady() });
    stack = await startDevStack({
      endpoint: proxy.endpoint,
      tables: stackTables('s42n-recovery'),
      port: 0,
      rate: 5,
      scenarios: ['s0', 's4'],
      history: 0,
      // 2-second buckets flushed every second: buckets close during the outage, and their flushes fail
      s4: bufferedS4({
        bucketMs: 2_000,
        rowBucketMs: { month: 2_000, all: 2_000 },
        flushEveryMs: 1_000,
        graceMs: 500,
      }),
      log: (l) => lines.push(l),
    });
    // S4 counts in Redis (buckets to flush): the workers have read the first seconds of both generators' writes
    await expect
      .poll(() => stack?.workerStats().records ?? 0, { timeout: 120_000, interval: 100 })
      .toBeGreaterThanOrEqual(20);
    // the outage: waited for until both failures are said, then 8 s more of it (flushes every second)
    const during = await outage(proxy, lines, {
      said: [/^S4 buffer error: flush failed/, /^worker (warning|error): /],
      thenMs: 8_000,
    });
    const count = (re: RegExp) => during.filter((l) => re.test(l)).length;
    expect(count(/^S4 buffer error: flush failed/), during.join('\n')).toBeGreaterThanOrEqual(1);
    expect(count(/^S4 buffer error: flush failed/), during.join('\n')).toBeLessThanOrEqual(2);
    expect(count(/^worker (warning|error): /), during.join('\n')).toBeGreaterThanOrEqual(1);
    proxy.heal();
    const healedAt = lines.length;
    await waitForLines(lines, healedAt, [/^worker: .*again/, /^S4 buffer: .*again/]);
    const after = lines.slice(healedAt).join('\n');
    expect(after).toMatch(/^worker: reads and writes go through again after \d+ failed attempts? since /m);
    expect(after).toMatch(/^S4 buffer: flushes go through again after \d+ failed attempts? since /m);
  });
});

// Review s41r (stream handler's log while the Redis buffer is down): the stream worker waits a REDIS_UNAVAILABLE batch
// out, retrying it with backoff (at most 5 s apart) for as long as Redis is down, and the handler it runs logged
// "batch failed; thrown for Lambda to retry it" at error level on every attempt: one line per retry per shard, about
// 720 an hour for each shard of an outage, drowning everything else (and one per retry of each Lambda container).
// Observed (before the fix): 6 error lines for 6 failed attempts within a minute, and nothing when it recovered.
// Expected: the first failure at error level; then, while the same code repeats on the shard, at most one line a
// minute with the count of attempts; and one line when a batch of the shard goes through again.
// Fixed (session 41, handler/failure-log.ts, used by handler/create-stream-handler.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { flakyClient } from '../redis/fail-fast-redis.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { memoryLogger } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const orders = defineRollup({
  name: 'orders',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('stream handler: the log while the Redis buffer is down (review s41r)', () => {
  it('logs the first failure, then at most one line a minute per shard with a count, and the recovery', async () => {
    const { common } = await env.fixture('s41r-downlog', [orders], START);
    const flaky = await flakyClient(env.server.url);
    try {
      const logger = memoryLogger();
      const handler = createStreamHandler({
        applier: createBufferedApplier({ ...common, redis: flaky.client }),
        deadLetter: 'log',
        logger,
      });
      const insert = streamInserts({ from: 1000 });
      const batch = [insert({ g: { S: 'a' } }, START)];
      let offset = 0;
      const realNow = Date.now.bind(Date);
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
      const attempt = () =>
        handler({ Records: batch, shardId: 'shard-1', finishedShards: [] }).then(
          () => 'applied',
          () => 'failed',
        );
      // warm the buffer's checks up while Redis answers, then take it down
      await handler({ Records: [insert({ g: { S: 'a' } }, START)], shardId: 'shard-1', finishedShards: [] });
      flaky.down();
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) outcomes.push(await attempt());
      const within = logger.lines.filter((l) => l.level === 'error' || l.level === 'warn').length;
      offset += 61_000;
      outcomes.push(await attempt());
      const after = logger.lines.filter((l) => l.level === 'error' || l.level === 'warn');
      await flaky.up();
      outcomes.push(await attempt());
      expect(outcomes).toEqual([...Array(7).fill('failed'), 'applied']);
      // observed: within 6, after 7 lines, no recovery line
      expect({ within, after: after.length }).toEqual({ within: 1, after: 2 });
      expect(after[1]?.message).toMatch(/REDIS_UNAVAILABLE/);
      expect(after[1]?.fields).toMatchObject({ shardId: 'shard-1', attempts: 7 });
      expect(logger.lines.at(-1)?.message).toMatch(/again|recovered/);
      expect(logger.lines.at(-1)?.fields).toMatchObject({ shardId: 'shard-1', failedAttempts: 7 });
    } finally {
      flaky.client.disconnect();
    }
  });
});

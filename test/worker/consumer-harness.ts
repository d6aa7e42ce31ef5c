// The context a shard consumer runs in, over a fake stream, for the consumer's unit tests.
import type { StreamBatchEvent } from '../../packages/dynotally/src/handler/index.ts';
import { describeStreamShards } from '../../packages/dynotally/src/streams/index.ts';
import type { ShardLease } from '../../packages/dynotally/src/worker/lease.ts';
import type { CheckpointOptions } from '../../packages/dynotally/src/worker/lease-params.ts';
import type { LeaseStore } from '../../packages/dynotally/src/worker/lease-store.ts';
import type { ConsumerContext } from '../../packages/dynotally/src/worker/shard-consumer.ts';
import type { FakeStream } from './fake-stream.ts';
import { quietLogger } from './support.ts';

/** A lease expiry far in the future (an hour from when the file loads). */
export const FAR = Date.now() + 3_600_000;

/**
 * A shard consumer's context over a fake stream, recording what the consumer does (batches handed over,
 * checkpoints, releases, LATEST opens, TRIM_HORIZON pins) with a quiet logger; `more` replaces any part (a refusing
 * `streams` client, `shardListed`, `shardGoneAfterMs`), `holds` says whether the lease is still held.
 *
 * @example
 * ```ts
 * const h = consumerHarness(stream, { shardGoneAfterMs: 1_500 });
 * await new ShardConsumer(h.context, h.lease('s1'), FAR).run();
 * ```
 */
export function consumerHarness(
  stream: FakeStream,
  more: Partial<ConsumerContext> = {},
  holds: () => boolean = () => true,
) {
  const events: StreamBatchEvent[] = [];
  const checkpoints: string[] = [];
  const released: string[] = [];
  const opened: number[] = [];
  const horizons: string[] = [];
  const logger = quietLogger();
  const leases = {
    // the LATEST pin (`onlyIfNone`) only where no checkpoint is, as checkpointParams' condition says
    checkpoint: async (_shardId: string, cp: string, options: CheckpointOptions = {}) => {
      if (!holds() || (options.onlyIfNone === true && checkpoints.length > 0)) return false;
      checkpoints.push(cp);
      return true;
    },
    release: async (shardId: string) => {
      released.push(shardId);
      return true;
    },
    openLatest: async (_shardId: string, at: number) => {
      opened.push(at);
      return holds();
    },
    startAtHorizon: async (shardId: string) => {
      horizons.push(shardId);
      return holds();
    },
  } as unknown as LeaseStore;
  const context: ConsumerContext = {
    streams: stream.client(),
    streamArn: stream.arn,
    leases,
    handler: async (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    },
    lastError: () => undefined,
    deadLetter: async () => {},
    logger,
    batchSize: 10,
    batchWindowMs: 0,
    pollIntervalMs: 5,
    policy: { maxRetries: 1, bisectOnError: true, retryBaseMs: 1, retryMaxMs: 1 },
    onBatch: () => {},
    onError: () => {},
    shardListed: async (shardId) =>
      (await describeStreamShards(stream.client(), stream.arn)).some((x) => x.ShardId === shardId),
    shardGoneAfterMs: 300_000,
    applyTimeoutMs: 300_000,
    readTimeoutMs: 30_000,
    ...more,
  };
  const lease = (
    shardId: string,
    checkpoint?: string,
    startAt: ShardLease['startAt'] = 'TRIM_HORIZON',
  ): ShardLease => ({
    streamArn: stream.arn,
    shardId,
    expiresAt: FAR,
    counter: 1,
    startAt,
    freeSince: 0,
    checkpoint,
  });
  return { context, events, checkpoints, released, opened, horizons, logger, lease };
}

import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { Applier, type WriteSide } from '../apply/index.ts';
import { withTimeouts } from '../local/client-timeouts.ts';
import type { Logger } from '../logging/index.ts';
import { describeStreamShards } from '../streams/describe-stream-shards.ts';
import { shardLinks } from '../streams/shard-lineage.ts';
import { AncestorLookup, type LineageOptions } from './ancestor-lookup.ts';

/**
 * The handler's ancestor lookup, or none where naming ancestors changes nothing: `lineage: false`, or a
 * built-in applier that keeps no row states (`at-least-once`, or the `transaction` strategy, whose state is one
 * watermark item per shard). A ready write side may pass them on to an {@link Applier} (a versioned write side
 * does), so it gets one. The Streams client is made on the first description, from `clientConfig` when given.
 *
 * @example
 * ```ts
 * const lookup = lineageFor({ lineage: {}, clientConfig: { region: 'eu-west-1' } }, applier, logger);
 * ```
 */
export function lineageFor(
  options: {
    readonly lineage?: LineageOptions | false | undefined;
    readonly clientConfig?: DynamoDBClientConfig | undefined;
    readonly mode?: string | undefined;
    readonly strategy?: string | undefined;
  },
  applier: WriteSide,
  logger: Logger,
): AncestorLookup | undefined {
  if (options.lineage === false) return undefined;
  const settings = applier instanceof Applier ? applier.options : options;
  if ((settings.mode ?? 'exactly-once') !== 'exactly-once' || settings.strategy === 'transaction')
    return undefined;
  const lineage = options.lineage ?? {};
  let streams = lineage.streams;
  const describe = async (streamArn: string) => {
    streams ??= new DynamoDBStreamsClient(
      withTimeouts(
        { ...(options.clientConfig as DynamoDBStreamsClientConfig | undefined), maxAttempts: 2 },
        { connectTimeoutMs: 3_000, requestTimeoutMs: 5_000 },
      ),
    );
    return shardLinks(await describeStreamShards(streams, streamArn));
  };
  return new AncestorLookup(describe, logger, lineage);
}

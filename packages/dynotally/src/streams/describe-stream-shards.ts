import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';

/**
 * How each `DescribeStream` request of a listing is sent: `call` sends it with the signal it is given (a bound on a
 * client without request timeouts, one per request: `boundedCall`).
 *
 * @example
 * ```ts
 * const perPage: PageSender = (call) => boundedCall(30_000, 'DescribeStream', call);
 * ```
 */
export type PageSender = <T>(call: (abortSignal: AbortSignal | undefined) => Promise<T>) => Promise<T>;

/**
 * Every shard of a stream, following `DescribeStream` pages (`ExclusiveStartShardId`). Given `perPage`, each page's
 * request goes through it: a bound applies to every request, not to the listing, whose length grows with the
 * stream's shards (100 a page) and with the throttling of a fleet describing it.
 *
 * @example
 * ```ts
 * const shards = await describeStreamShards(streams, streamArn);
 * const open = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
 * ```
 */
export async function describeStreamShards(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  perPage: PageSender = (call) => call(undefined),
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const command = new DescribeStreamCommand({
      StreamArn: streamArn,
      ExclusiveStartShardId: exclusiveStartShardId,
    });
    const { StreamDescription } = await perPage((abortSignal) =>
      streams.send(command, abortSignal === undefined ? {} : { abortSignal }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId !== undefined);
  return shards;
}

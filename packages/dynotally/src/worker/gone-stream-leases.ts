import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { withRetry } from '../apply/index.ts';
import type { PageSender } from '../streams/index.ts';
import { errorName } from './error-name.ts';
import { parseLeaseItem, type ShardLease } from './lease.ts';
import { expireGoneLeaseParams } from './lease-params.ts';

/**
 * How long a lease of another stream must have been left alone (no write to it: `updatedAt`, and no holder:
 * `expiresAt`) before a sweep asks whether its stream is gone: no worker has read it for that long.
 *
 * @example
 * ```ts
 * GONE_STREAM_IDLE_MS; // 3600000 (1 hour)
 * ```
 */
export const GONE_STREAM_IDLE_MS = 3_600_000;

/**
 * How often a running worker sweeps the lease table for leases of streams DynamoDB Streams no longer has.
 *
 * @example
 * ```ts
 * GONE_STREAM_SWEEP_MS; // 3600000 (1 hour)
 * ```
 */
export const GONE_STREAM_SWEEP_MS = 3_600_000;

/** `region:account` of an ARN (`arn:aws:dynamodb:<region>:<account>:…`), or `undefined`. */
function regionAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length < 6 || parts[0] !== 'arn' ? undefined : `${parts[3]}:${parts[4]}`;
}

/**
 * Whether two stream ARNs are in the same region and account: only such a stream can the worker's streams client
 * tell gone (another region or account answers `ResourceNotFoundException` for a live stream).
 *
 * @example
 * ```ts
 * sameRegionAndAccount('arn:aws:dynamodb:eu-west-1:1:table/a/stream/x', 'arn:aws:dynamodb:eu-west-1:1:table/b/stream/y'); // true
 * ```
 */
export function sameRegionAndAccount(a: string, b: string): boolean {
  const ra = regionAccount(a);
  return ra !== undefined && ra === regionAccount(b);
}

/**
 * The shard leases of streams other than `current` that carry no `ttl` and have been left alone since before
 * `idleSince` (epoch ms: no write, no holder), by stream ARN: what a stream nobody reads any more leaves (a finished lease carries a `ttl` already,
 * unless an earlier release wrote it).
 *
 * @example
 * ```ts
 * const byStream = await idleLeasesOfOtherStreams(client, 'leases', streamArn, Date.now() - GONE_STREAM_IDLE_MS);
 * ```
 */
export async function idleLeasesOfOtherStreams(
  client: DynamoDBClient,
  leaseTable: string,
  current: string,
  idleSince: number,
  /** How each lease-table request is sent (a bound per request; default as is). */
  perRequest: PageSender = (call) => call(undefined),
): Promise<Map<string, ShardLease[]>> {
  const byStream = new Map<string, ShardLease[]>();
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await withRetry(() =>
      perRequest((abortSignal) =>
        client.send(
          new ScanCommand({
            TableName: leaseTable,
            FilterExpression:
              '#kind = :shard AND #stream <> :current AND attribute_not_exists(#ttl) AND #exp <= :idle AND #upd <= :idle',
            ExpressionAttributeNames: {
              '#kind': 'kind',
              '#stream': 'stream',
              '#ttl': 'ttl',
              '#exp': 'expiresAt',
              '#upd': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':shard': { S: 'shard' },
              ':current': { S: current },
              ':idle': { N: String(idleSince) },
            },
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
          abortSignal === undefined ? {} : { abortSignal },
        ),
      ),
    );
    for (const item of page.Items ?? []) {
      const parsed = parseLeaseItem(item);
      if (parsed?.kind !== 'shard') continue;
      const list = byStream.get(parsed.lease.streamArn) ?? [];
      list.push(parsed.lease);
      byStream.set(parsed.lease.streamArn, list);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return byStream;
}

/**
 * Whether DynamoDB Streams no longer has the stream: `DescribeStream` answers `ResourceNotFoundException` (its table
 * deleted, or disabled more than 24 hours ago). Any other answer, or another error, is "not gone".
 *
 * @example
 * ```ts
 * if (await streamGone(streams, arn)) stampLeases();
 * ```
 */
export async function streamGone(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  perRequest: PageSender = (call) => call(undefined),
): Promise<boolean> {
  try {
    await perRequest((abortSignal) =>
      streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, Limit: 1 }),
        abortSignal === undefined ? {} : { abortSignal },
      ),
    );
    return false;
  } catch (e) {
    return errorName(e) === 'ResourceNotFoundException';
  }
}

/**
 * Gives the leases of every stream DynamoDB Streams no longer has a time to live, as a finished lease has: a stream no
 * worker reads any more (disabled and enabled again with no worker following it, a `streamArn` given once, a table
 * deleted) left its unfinished leases in the lease table for good. Only streams in the worker's region and account
 * (`current`'s) are judged, only leases left alone for {@link GONE_STREAM_IDLE_MS}, and a stream only when `DescribeStream`
 * says it is gone. Returns the number of leases stamped per stream.
 *
 * @example
 * ```ts
 * const stamped = await expireGoneStreamLeases({ client, streams, leaseTable: 'leases', current: streamArn, now: Date.now() });
 * ```
 */
export async function expireGoneStreamLeases(input: {
  client: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  leaseTable: string;
  current: string;
  now: number;
  /** How each lease-table request is sent (a running worker's bound per request, `leaseDurationMs`; default as is). */
  leaseRequest?: PageSender | undefined;
  /** How each `DescribeStream` is sent (a running worker's bound per request, `readTimeoutMs`; default as is). */
  streamRequest?: PageSender | undefined;
}): Promise<Map<string, number>> {
  const idleSince = input.now - GONE_STREAM_IDLE_MS;
  const leaseRequest: PageSender = input.leaseRequest ?? ((call) => call(undefined));
  const byStream = await idleLeasesOfOtherStreams(
    input.client,
    input.leaseTable,
    input.current,
    idleSince,
    leaseRequest,
  );
  const stamped = new Map<string, number>();
  for (const [arn, leases] of byStream) {
    if (!sameRegionAndAccount(arn, input.current)) continue;
    if (!(await streamGone(input.streams, arn, input.streamRequest))) continue;
    let n = 0;
    for (const lease of leases) {
      try {
        await withRetry(() =>
          leaseRequest((abortSignal) =>
            input.client.send(
              new UpdateItemCommand(expireGoneLeaseParams(input.leaseTable, lease, input.now, idleSince)),
              abortSignal === undefined ? {} : { abortSignal },
            ),
          ),
        );
        n += 1;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    }
    stamped.set(arn, n);
  }
  return stamped;
}

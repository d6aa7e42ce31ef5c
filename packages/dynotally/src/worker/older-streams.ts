import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/index.ts';
import type { PageSender } from '../streams/index.ts';
import { isFinished, parseLeaseItem } from './lease.ts';
import { meetingKey } from './stream-meeting.ts';

/** Another stream of the same source table that the lease table holds leases (or the meeting item) of. */
export interface OlderStream {
  readonly streamArn: string;
  /** Some of its leases are not read to their end (false for a stream known by its meeting item only). */
  readonly unfinished: boolean;
}

/** `arn:…:table/<name>/stream/` of a stream ARN: what every stream of the same table starts with. */
function tablePrefix(streamArn: string): string | undefined {
  const at = streamArn.lastIndexOf('/stream/');
  return at < 0 ? undefined : streamArn.slice(0, at + '/stream/'.length);
}

/**
 * The other streams of `latest`'s table that the lease table holds shard leases or a meeting item of (a stream
 * disabled and enabled again, or a table created again, has a new ARN), oldest first (a stream ARN ends with its
 * creation time). A worker given `sourceTable` starts on the oldest one not read to its end (then follows the table to
 * the next), and meets a new stream of a table read before as a continuation: from its beginning. The meeting item
 * (kept for good) still tells a stream was read once its finished leases are gone (the lease table's TTL, 7 days
 * after they finished): such a stream counts as read to its end, since only a finished lease ever gets a TTL or is
 * deleted by discovery.
 *
 * @example
 * ```ts
 * const older = await olderStreams(client, 'dynotally-leases', latestStreamArn);
 * const resume = older.find((s) => s.unfinished);
 * ```
 */
export async function olderStreams(
  client: DynamoDBClient,
  leaseTable: string,
  latest: string,
  /**
   * Sends each Scan page (the worker's: bounded by `leaseDurationMs`, and ended by a `stop()` during its start; review
   * s44w found it unbounded, so a lease table that did not answer held the start and its stop for good).
   */
  perPage: PageSender = (call) => call(undefined),
): Promise<OlderStream[]> {
  const prefix = tablePrefix(latest);
  if (prefix === undefined) return [];
  const unfinished = new Map<string, boolean>();
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await withRetry(() =>
      perPage((abortSignal) =>
        client.send(
          new ScanCommand({
            TableName: leaseTable,
            ConsistentRead: true,
            FilterExpression:
              '(begins_with(#stream, :prefix) AND #stream <> :latest AND #kind = :shard) OR (#kind = :meeting AND begins_with(#pk, :meetingPrefix) AND #pk <> :latestMeeting)',
            ExpressionAttributeNames: { '#stream': 'stream', '#kind': 'kind', '#pk': 'pk' },
            ExpressionAttributeValues: {
              ':prefix': { S: prefix },
              ':latest': { S: latest },
              ':shard': { S: 'shard' },
              ':meeting': { S: 'meeting' },
              ':meetingPrefix': { S: meetingKey(prefix) },
              ':latestMeeting': { S: meetingKey(latest) },
            },
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
          { abortSignal },
        ),
      ),
    );
    for (const item of page.Items ?? []) {
      if (item.kind?.S === 'meeting') {
        // a stream met once, whose leases (if any are left) say more
        const arn = item.pk?.S?.slice(meetingKey('').length);
        if (arn !== undefined && arn !== '') unfinished.set(arn, unfinished.get(arn) ?? false);
        continue;
      }
      const parsed = parseLeaseItem(item);
      if (parsed?.kind !== 'shard') continue;
      const arn = parsed.lease.streamArn;
      unfinished.set(arn, (unfinished.get(arn) ?? false) || !isFinished(parsed.lease));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return [...unfinished]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([streamArn, open]) => ({ streamArn, unfinished: open }));
}

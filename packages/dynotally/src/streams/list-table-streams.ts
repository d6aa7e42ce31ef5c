import { type DynamoDBStreamsClient, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import type { PageSender } from './describe-stream-shards.ts';

/**
 * Every stream DynamoDB Streams lists for a table (`ListStreams` by table name, following its pages): the current
 * one, and the older ones kept readable for 24 hours after the stream was disabled or the table deleted. Oldest
 * first: a stream's ARN ends with its creation time, so the ARNs of one table sort in the order they were created.
 * Given `perPage`, each page's request goes through it (a bound per request, as `describeStreamShards` takes one).
 *
 * @example
 * ```ts
 * const arns = await listTableStreams(streams, 'orders');
 * arns.at(-1); // the newest stream of the table
 * ```
 */
export async function listTableStreams(
  streams: DynamoDBStreamsClient,
  table: string,
  perPage: PageSender = (call) => call(undefined),
): Promise<string[]> {
  const arns: string[] = [];
  let exclusiveStartStreamArn: string | undefined;
  do {
    const command = new ListStreamsCommand({
      TableName: table,
      ExclusiveStartStreamArn: exclusiveStartStreamArn,
    });
    const page = await perPage((abortSignal) =>
      streams.send(command, abortSignal === undefined ? {} : { abortSignal }),
    );
    for (const s of page.Streams ?? []) if (s.StreamArn !== undefined) arns.push(s.StreamArn);
    exclusiveStartStreamArn = page.LastEvaluatedStreamArn;
  } while (exclusiveStartStreamArn !== undefined);
  return [...new Set(arns)].sort(compareStreamArns);
}

/**
 * Orders two stream ARNs of one table by creation: by their labels (the ISO time after `/stream/`), so a table
 * deleted and created again sorts by its streams' times too.
 *
 * @example
 * ```ts
 * arns.sort(compareStreamArns);
 * ```
 */
export function compareStreamArns(a: string, b: string): number {
  const la = streamLabel(a);
  const lb = streamLabel(b);
  return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The label of a stream ARN: what follows `/stream/` (its creation time, `2026-12-05T11:41:12.255`), or the whole
 * ARN when it has none.
 *
 * @example
 * ```ts
 * streamLabel('arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-05T11:41:12.255'); // '2026-12-05T11:41:12.255'
 * ```
 */
export function streamLabel(streamArn: string): string {
  const at = streamArn.lastIndexOf('/stream/');
  return at < 0 ? streamArn : streamArn.slice(at + '/stream/'.length);
}

/**
 * The stream a worker reading `current` goes on to once it is read to its end: the oldest of `listed` created after
 * it (not the newest: a stream between them, the table's stream re-enabled twice, holds changes too), or undefined
 * when none is newer.
 *
 * @example
 * ```ts
 * nextStreamAfter(await listTableStreams(streams, 'orders'), streamArn); // the next stream to read, if any
 * ```
 */
export function nextStreamAfter(listed: readonly string[], current: string): string | undefined {
  let next: string | undefined;
  for (const arn of listed) {
    if (compareStreamArns(arn, current) <= 0) continue;
    if (next === undefined || compareStreamArns(arn, next) < 0) next = arn;
  }
  return next;
}

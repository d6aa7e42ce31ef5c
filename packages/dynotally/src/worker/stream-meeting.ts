import type { AttributeValue, GetItemCommandInput, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SHARD_END, type StartingPosition } from './lease.ts';

/**
 * Largest total of shard-id bytes a meeting item lists (DynamoDB items stop at 400 KB): about 8,000 shard ids of
 * AWS's 40-character form. A stream with more shards at the meeting is met without a list (see {@link meetingStart}).
 */
export const MEETING_LIST_BYTES = 350_000;

/**
 * How the workers first met a stream, recorded once in the lease table by the first worker that found no lease for
 * it: the starting position it was configured with, when, and (for `LATEST`) the shards the stream listed then. Every
 * worker creating a lease reads it, so a shard gets the same start whoever creates its lease, and whenever.
 *
 * @example
 * ```ts
 * const meeting: StreamMeeting = { startAt: 'LATEST', at: Date.now(), shards: new Set(['shardId-1', 'shardId-2']) };
 * ```
 */
export interface StreamMeeting {
  readonly startAt: StartingPosition;
  /** Epoch ms of the meeting. */
  readonly at: number;
  /** The shards listed at the meeting (`LATEST` only); `undefined` when there were too many to store. */
  readonly shards?: ReadonlySet<string> | undefined;
}

/**
 * Partition key of a stream's meeting item: `meeting|<stream ARN>` (no shard lease or presence key starts so). The item
 * has no `stream` attribute, so the lease scans (filtered on it) never return it.
 *
 * @example
 * ```ts
 * meetingKey(streamArn); // 'meeting|arn:aws:dynamodb:…/stream/…'
 * ```
 */
export function meetingKey(streamArn: string): string {
  return `meeting|${streamArn}`;
}

/**
 * The meeting a worker records when it finds no lease for the stream: its starting position, and for `LATEST` the
 * shards listed now (none when their ids pass {@link MEETING_LIST_BYTES}).
 *
 * @example
 * ```ts
 * const meeting = newMeeting('LATEST', ['shardId-1', 'shardId-2'], Date.now());
 * ```
 */
export function newMeeting(
  startAt: StartingPosition,
  shardIds: readonly string[],
  at: number,
): StreamMeeting {
  if (startAt !== 'LATEST') return { startAt, at };
  let bytes = 0;
  for (const id of shardIds) bytes += Buffer.byteLength(id) + 3;
  return bytes > MEETING_LIST_BYTES ? { startAt, at } : { startAt, at, shards: new Set(shardIds) };
}

/**
 * `PutItem` recording a stream's meeting, unless one is recorded already.
 *
 * @example
 * ```ts
 * await client.send(new PutItemCommand(createMeetingParams('leases', streamArn, meeting)));
 * ```
 */
export function createMeetingParams(
  table: string,
  streamArn: string,
  meeting: StreamMeeting,
): PutItemCommandInput {
  const shards = meeting.shards === undefined ? [] : [...meeting.shards];
  return {
    TableName: table,
    Item: {
      pk: { S: meetingKey(streamArn) },
      kind: { S: 'meeting' },
      startAt: { S: meeting.startAt },
      at: { N: String(meeting.at) },
      // a string set cannot be empty; a meeting with no shard listed has none to start at LATEST
      ...(meeting.startAt === 'LATEST' && meeting.shards !== undefined
        ? { listed: { BOOL: true }, ...(shards.length === 0 ? {} : { shards: { SS: shards } }) }
        : {}),
      updatedAt: { N: String(meeting.at) },
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * `GetItem` (strongly consistent) of a stream's meeting item.
 *
 * @example
 * ```ts
 * const out = await client.send(new GetItemCommand(getMeetingParams('leases', streamArn)));
 * ```
 */
export function getMeetingParams(table: string, streamArn: string): GetItemCommandInput {
  return { TableName: table, Key: { pk: { S: meetingKey(streamArn) } }, ConsistentRead: true };
}

/**
 * Reads a meeting item; `undefined` for anything else.
 *
 * @example
 * ```ts
 * const meeting = parseMeetingItem(out.Item ?? {});
 * ```
 */
export function parseMeetingItem(item: Record<string, AttributeValue>): StreamMeeting | undefined {
  if (item.kind?.S !== 'meeting') return undefined;
  const startAt: StartingPosition = item.startAt?.S === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
  const at = item.at?.N === undefined ? 0 : Number(item.at.N);
  if (startAt !== 'LATEST' || item.listed?.BOOL !== true) return { startAt, at };
  return { startAt, at, shards: new Set(item.shards?.SS ?? []) };
}

/**
 * Where a new lease starts, pure. `LATEST` (and `SHARD_END` for a closed shard, which holds nothing new) for a shard
 * listed when the stream was met at `LATEST`, whichever worker creates its lease and however late; `TRIM_HORIZON`
 * for every other shard (a child that appeared since is read from its beginning, or records would fall between
 * parent and child). A meeting too large to list falls back to the creating worker's own view (`first`: its scan
 * found no lease); no meeting at all (a lease table from before meeting items, whose leases exist) means
 * `TRIM_HORIZON`.
 *
 * @example
 * ```ts
 * meetingStart(meeting, 'shardId-1', false, false); // { startAt: 'LATEST' } when shardId-1 was listed at a LATEST meeting
 * ```
 */
export function meetingStart(
  meeting: StreamMeeting | undefined,
  shardId: string,
  closed: boolean,
  first: boolean,
): { startAt: StartingPosition; checkpoint?: string } {
  const latest =
    meeting !== undefined &&
    meeting.startAt === 'LATEST' &&
    (meeting.shards === undefined ? first : meeting.shards.has(shardId));
  if (!latest) return { startAt: 'TRIM_HORIZON' };
  return closed ? { startAt: 'LATEST', checkpoint: SHARD_END } : { startAt: 'LATEST' };
}

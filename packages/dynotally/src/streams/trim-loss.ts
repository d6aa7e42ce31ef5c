/** DynamoDB Streams keeps records for 24 hours. */
const RETENTION_MS = 24 * 3_600_000;
/** Clock skew between this machine and DynamoDB that the age checks tolerate. */
const SKEW_MS = 10 * 60_000;

/**
 * When the stream was created, from its ARN's label (`…/stream/2026-11-22T13:05:00.123`, an ISO-8601
 * timestamp by DynamoDB's documentation), or `undefined` when the label is not one.
 *
 * @example
 * ```ts
 * streamCreatedAt('arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-11-22T13:05:00.123'); // 1795352700123
 * ```
 */
export function streamCreatedAt(streamArn: string): number | undefined {
  const label = /\/stream\/([^/]+)$/.exec(streamArn)?.[1];
  if (label === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(label)) return undefined;
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(label) ? label : `${label}Z`);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Whether a `TrimmedDataAccessException` (or a checkpoint the stream no longer has) can mean that records this
 * shard had not read yet are gone. The stream only trims records older than 24 hours, so in a stream created
 * less than 24 hours ago nothing has ever been trimmed: the exception is then no loss (DynamoDB Local throws it
 * on a fresh shard's first `GetRecords`), and the caller just continues at `TRIM_HORIZON`. When the stream's age
 * is unknown, a loss is possible.
 *
 * @example
 * ```ts
 * trimmedRecordsMayBeLost({ streamArn, now: Date.now() }); // false for a table created a minute ago
 * ```
 */
export function trimmedRecordsMayBeLost(options: {
  readonly streamArn: string;
  readonly now: number;
}): boolean {
  const created = streamCreatedAt(options.streamArn);
  if (created === undefined) return true;
  return options.now - created >= RETENTION_MS - SKEW_MS;
}

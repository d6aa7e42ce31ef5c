import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynotallyError } from '../errors/index.ts';
import type { Logger } from '../logging/index.ts';
import { describedAncestors, type ShardLink } from '../streams/shard-lineage.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';

/**
 * How long after a process (a Lambda container) first sees a shard it starts naming the shard's finished
 * ancestors: 15 minutes, the longest a Lambda invocation can run. Every invocation of a parent started before
 * the child's first one (Lambda reads a parent to its end first), and that was no later than this process
 * first saw the child; so once this much time has passed, any invocation of an ancestor that Lambda gave up on
 * while it still ran (a zombie, still writing) has been stopped by its timeout, and its late writes met the
 * ancestor's states.
 *
 * @example
 * ```ts
 * LAMBDA_ANCESTOR_WAIT_MS; // 900000
 * ```
 */
export const LAMBDA_ANCESTOR_WAIT_MS = 900_000;

/**
 * How a stream handler learns its shard's finished ancestors on Lambda, where the event names only the shard
 * (`lineage` on {@link createStreamHandler}; `false` turns it off). It asks `DescribeStream` of the event's
 * stream (paginated), once per container and stream, again only when a shard it has not seen described
 * arrives, and at most once per `refreshAfterMs` (after a failure, twice that, doubling up to 16 times it, until one
 * answers). The function needs `dynamodb:DescribeStream` on the stream
 * (the event source mapping's role has it). Any failure is logged once and the batch goes on naming nothing:
 * the age horizon still bounds the states.
 *
 * @example
 * ```ts
 * const lineage: LineageOptions = { streams: new DynamoDBStreamsClient({}), pruneAncestorsAfterMs: 900_000 };
 * ```
 */
export interface LineageOptions {
  /** The Streams client to describe the stream with. Default: one made from `clientConfig` (2 attempts, 3 s to connect and 5 s to answer each). */
  streams?: DynamoDBStreamsClient;
  /**
   * How long a container must have seen a shard before its batches name the shard's ancestors. Default
   * {@link LAMBDA_ANCESTOR_WAIT_MS} (15 min): shorter is safe only if no invocation of this function can run
   * longer (its timeout, including deployments with an older, longer timeout).
   */
  pruneAncestorsAfterMs?: number;
  /** The fewest milliseconds between two descriptions of one stream by one container. Default 60,000. */
  refreshAfterMs?: number;
  /** The clock (tests). Default `Date.now`. */
  now?: () => number;
}

/** Shards whose first sighting one container remembers (a Lambda container sees a few; a forgotten one waits again). */
const MAX_REMEMBERED_SHARDS = 4096;

interface Described {
  links: ReadonlyMap<string, ShardLink>;
  /** When the last description was asked for (successful or not). */
  askedAt: number;
  inFlight: Promise<void> | undefined;
  /** Descriptions that failed in a row since the last that answered: each doubles the wait before the next. */
  failedInRow: number;
}

/**
 * After failed descriptions, the wait before the next doubles from `refreshAfterMs` up to this many times it (16 min
 * at the default): a stream DynamoDB Streams cannot be reached for (a function in a VPC without a route to it) costs
 * a container one batch's connect timeouts every 16 minutes, not every minute, while a fixed grant is still seen
 * within a quarter of an hour (until then, the age horizon bounds the states, as without lineage).
 */
const MAX_BACKOFF_FACTOR = 16;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `lineage.${name} is ${shownValue(value)}: give a number of milliseconds, 0 or more (default ${fallback})`,
      { details: { option: `lineage.${name}`, value: shownDetail(value) } },
    );
  return value;
}

/**
 * The finished ancestors of a batch's shard as {@link LineageOptions} describes: the per-container state of
 * the lookup (first sightings, cached descriptions). `describe` lists the stream's shards
 * (`describeStreamShards` in production).
 *
 * @example
 * ```ts
 * const lookup = new AncestorLookup((arn) => describeStreamShards(streams, arn), logger, {});
 * const finishedShards = await lookup.finishedFor(streamArn, event.shardId);
 * ```
 */
export class AncestorLookup {
  private readonly waitMs: number;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly firstSeen = new Map<string, number>();
  private readonly streams = new Map<string, Described>();
  private failures = 0;

  constructor(
    private readonly describe: (streamArn: string) => Promise<ReadonlyMap<string, ShardLink>>,
    private readonly logger: Logger,
    options: Omit<LineageOptions, 'streams'>,
  ) {
    this.waitMs = nonNegative(
      'pruneAncestorsAfterMs',
      options.pruneAncestorsAfterMs,
      LAMBDA_ANCESTOR_WAIT_MS,
    );
    this.refreshMs = nonNegative('refreshAfterMs', options.refreshAfterMs, 60_000);
    this.now = options.now ?? Date.now;
  }

  /** DescribeStream failures so far (each logged at most once per container). */
  get failedLookups(): number {
    return this.failures;
  }

  /**
   * The shard's ancestors that may leave the rows now, nearest first: none until this container has seen the
   * shard for `pruneAncestorsAfterMs`, and none when the stream cannot be described. Never throws.
   */
  async finishedFor(streamArn: string | undefined, shardId: string | undefined): Promise<string[]> {
    if (streamArn === undefined || streamArn === '' || shardId === undefined || shardId === '') return [];
    const now = this.now();
    const key = `${streamArn}\u0000${shardId}`;
    const first = this.firstSeen.get(key);
    if (first === undefined) {
      if (this.firstSeen.size >= MAX_REMEMBERED_SHARDS) {
        const oldest = this.firstSeen.keys().next().value;
        if (oldest !== undefined) this.firstSeen.delete(oldest);
      }
      this.firstSeen.set(key, now);
    }
    if (now - (first ?? now) < this.waitMs) return [];
    let described = this.streams.get(streamArn);
    const stale = (d: Described | undefined) => {
      if (d === undefined) return true;
      const { stop } = describedAncestors(shardId, d.links);
      // a shard not listed yet, or a parent listed as open: the description predates the shard
      return (stop === 'missing' && !d.links.has(shardId)) || stop === 'open';
    };
    if (stale(described)) {
      if (
        described === undefined ||
        described.inFlight !== undefined ||
        now - described.askedAt >= this.refreshMs * Math.min(2 ** described.failedInRow, MAX_BACKOFF_FACTOR)
      )
        await this.refresh(streamArn, now);
      described = this.streams.get(streamArn);
    }
    return described === undefined ? [] : describedAncestors(shardId, described.links).ancestors;
  }

  private refresh(streamArn: string, now: number): Promise<void> {
    const current = this.streams.get(streamArn);
    if (current?.inFlight !== undefined) return current.inFlight;
    const entry: Described = {
      links: current?.links ?? new Map(),
      askedAt: now,
      inFlight: undefined,
      failedInRow: current?.failedInRow ?? 0,
    };
    this.streams.set(streamArn, entry);
    entry.inFlight = this.describe(streamArn).then(
      (links) => {
        entry.links = links;
        entry.inFlight = undefined;
        entry.failedInRow = 0;
      },
      (error: unknown) => {
        entry.inFlight = undefined;
        entry.failedInRow += 1;
        this.failures += 1;
        if (this.failures === 1)
          this.logger.warn(
            'could not describe the stream to learn which ancestor shards are finished: batches go on without naming them (the age horizon still bounds exactly-once state); grant dynamodb:DescribeStream on the stream, or set lineage: false to stop asking',
            { streamArn, error },
          );
      },
    );
    return entry.inFlight;
  }
}

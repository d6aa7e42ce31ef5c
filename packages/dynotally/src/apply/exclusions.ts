import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { retrying } from './write-extrema.ts';

/** How long an exclusion item outlives its last entry: past the redelivery horizon (25 h) with a margin. */
const EXCLUSION_TTL_SECONDS = 48 * 3600;

/**
 * A record of a shard the store refused for good (a sum it cannot hold, a row over 400 KB): it becomes a dead
 * letter, is taken back from the rows it reached, and must never be counted anywhere, whatever later deliveries
 * find: its entry is kept until the record is past the redelivery horizon, since a row that refused it may take it
 * later (another record lowered its sum). `rows` are hashes ({@link rowHash}) of the rows that refused it (never
 * to be taken back from).
 */
export interface Exclusion {
  readonly seq: string;
  readonly rows: readonly string[];
  readonly tooLarge: boolean;
  /** The record's approximate creation time (epoch seconds): it can be delivered again until the horizon after. */
  readonly at: number;
}

/** Where an applier's exclusions live, and what it needs to read and write them. */
export interface ExclusionContext {
  client: DynamoDBClient;
  table: string;
  now: number;
  report: ApplyReport;
  retry?: RetryOptions;
  source: string;
  shardId: string;
  /** The applier's rollups (their storage names): an entry goes to each one's item, and all are read. */
  rollups: readonly string[];
}

/**
 * A short, fixed-size name of a row (`pk\u0000sk`) for an exclusion entry: 16 base64url characters of SHA-256.
 *
 * @example
 * ```ts
 * rowHash('amounts#sbig\u0000ALL'); // 'Qm9…' (16 characters)
 * ```
 */
export function rowHash(rowKey: string): string {
  return createHash('sha256').update(rowKey).digest('base64url').slice(0, 16);
}

/**
 * The key of a shard's exclusion item for one rollup (a version's own name): `~wx#<shard>` / `<stream>|<rollup>`.
 * Per rollup, not per applier: under rollup versions the applier writing a rollup changes from batch to batch (a
 * version joins the serving versions' applier once the batch is past its backfill's window), and a redelivery cut
 * differently must still find every entry its rollups were given.
 *
 * @example
 * ```ts
 * exclusionKey(streamArn, 'shardId-1', 'amounts'); // { pk: { S: '~wx#shardId-1' }, sk: { S: `${streamArn}|amounts` } }
 * ```
 */
export function exclusionKey(source: string, shardId: string, rollup: string) {
  return { pk: { S: `~wx#${shardId}` }, sk: { S: `${source}|${rollup}` } };
}

/**
 * Records an exclusion durably, before anything after the record is written: a redelivery then finds it even
 * where the row that refused it has moved past it, and leaves the record out of the batch from the start.
 *
 * @example
 * ```ts
 * await recordExclusion({ seq, rows: [rowHash(rowKey)], tooLarge: false, at: 1763800000 }, ctx);
 * ```
 */
export async function recordExclusion(exclusion: Exclusion, ctx: ExclusionContext): Promise<void> {
  const entry = exclusionEntry(exclusion);
  for (const rollup of ctx.rollups) {
    const out = await withRetry(
      () =>
        ctx.client.send(
          new UpdateItemCommand({
            TableName: ctx.table,
            Key: exclusionKey(ctx.source, ctx.shardId, rollup),
            UpdateExpression: 'ADD #ex :e SET #u = :u, #ttl = :ttl',
            ExpressionAttributeNames: { '#ex': 'ex', '#u': 'updatedAt', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':e': { SS: [entry] },
              ':u': { N: String(ctx.now) },
              ':ttl': { N: String(Math.floor(ctx.now / 1000) + EXCLUSION_TTL_SECONDS) },
            },
            ReturnConsumedCapacity: 'INDEXES',
          }),
        ),
      retrying(ctx),
    );
    ctx.report.requests++;
    ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
  }
}

/**
 * The shard's stored exclusions (consistent read): the raw entries, and the exclusions merged by record.
 *
 * @example
 * ```ts
 * const { bySeq } = await readExclusions(ctx);
 * ```
 */
export async function readExclusions(
  ctx: ExclusionContext,
): Promise<{ raw: string[]; bySeq: Map<string, Exclusion> }> {
  const raw = new Set<string>();
  // one consistent BatchGetItem for every rollup's item (100 keys a request), unprocessed keys sent again
  for (let i = 0; i < ctx.rollups.length; i += 100) {
    let keys: Record<string, AttributeValue>[] | undefined = ctx.rollups
      .slice(i, i + 100)
      .map((r) => exclusionKey(ctx.source, ctx.shardId, r));
    for (let round = 0; keys !== undefined && keys.length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
      const request: BatchGetItemCommandInput['RequestItems'] = {
        [ctx.table]: { Keys: keys, ConsistentRead: true },
      };
      const out: BatchGetItemCommandOutput = await withRetry(
        () => ctx.client.send(new BatchGetItemCommand({ RequestItems: request })),
        retrying(ctx),
      );
      for (const item of out.Responses?.[ctx.table] ?? []) for (const e of item.ex?.SS ?? []) raw.add(e);
      keys = out.UnprocessedKeys?.[ctx.table]?.Keys;
    }
  }
  return { raw: [...raw], bySeq: decodeExclusions(raw) };
}

/**
 * Removes entries (those whose records are past the redelivery horizon).
 *
 * @example
 * ```ts
 * await clearExclusions(raw, ctx);
 * ```
 */
export async function clearExclusions(entries: readonly string[], ctx: ExclusionContext): Promise<void> {
  if (entries.length === 0) return;
  for (const rollup of ctx.rollups) {
    await withRetry(
      () =>
        ctx.client.send(
          new UpdateItemCommand({
            TableName: ctx.table,
            Key: exclusionKey(ctx.source, ctx.shardId, rollup),
            UpdateExpression: 'DELETE #ex :e',
            ExpressionAttributeNames: { '#ex': 'ex' },
            ExpressionAttributeValues: { ':e': { SS: [...new Set(entries)] } },
          }),
        ),
      retrying(ctx),
    );
    ctx.report.requests++;
    ctx.report.writeUnits += 1;
  }
}

/**
 * The time an exclusion entry is kept from (epoch seconds): the record's approximate creation time, or, when it
 * has none usable, the moment the refusal was found (later than its creation, so the entry is kept longer).
 *
 * @example
 * ```ts
 * exclusionTime(change.approximateTimeMs, Date.now()); // 1763800000
 * ```
 */
export function exclusionTime(approximateTimeMs: number, nowMs: number): number {
  const ok = Number.isFinite(approximateTimeMs) && approximateTimeMs > 0 && approximateTimeMs <= nowMs;
  return Math.floor((ok ? approximateTimeMs : nowMs) / 1000);
}

/**
 * The stream's clock for a batch (epoch seconds): its newest record's `ApproximateCreationDateTime`, counting only
 * plain second values no later than `nowMs` (a test event in milliseconds, a `Date`, or a missing time does not
 * move it), or undefined when none qualifies.
 *
 * @example
 * ```ts
 * streamClock(records, Date.now()); // 1763800000
 * ```
 */
export function streamClock(
  records: ReadonlyArray<{
    readonly dynamodb?: { readonly ApproximateCreationDateTime?: unknown } | undefined;
  }>,
  nowMs: number,
): number | undefined {
  let newest: number | undefined;
  for (const r of records) {
    const t = r.dynamodb?.ApproximateCreationDateTime;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t * 1000 > nowMs) continue;
    newest = newest === undefined ? t : Math.max(newest, t);
  }
  return newest;
}

/** The raw entry of an exclusion, as {@link recordExclusion} stores it. */
export function exclusionEntry(exclusion: Exclusion): string {
  return JSON.stringify({
    s: exclusion.seq,
    r: exclusion.rows,
    t: exclusion.tooLarge ? 1 : 0,
    a: exclusion.at,
  });
}

/**
 * Stored entries, merged by record (the rows of every entry of a record together).
 *
 * @example
 * ```ts
 * decodeExclusions(['{"s":"000…42","r":["Qm9…"],"t":0,"a":1763800000}']).get('000…42')?.rows; // ['Qm9…']
 * ```
 */
export function decodeExclusions(entries: Iterable<string>): Map<string, Exclusion> {
  const out = new Map<string, { seq: string; rows: Set<string>; tooLarge: boolean; at: number }>();
  for (const raw of entries) {
    let e: { s?: unknown; r?: unknown; t?: unknown; a?: unknown };
    try {
      e = JSON.parse(raw) as typeof e;
    } catch {
      continue; // not ours
    }
    if (typeof e.s !== 'string') continue;
    const at = typeof e.a === 'number' ? e.a : 0;
    const x = out.get(e.s) ?? { seq: e.s, rows: new Set<string>(), tooLarge: false, at };
    for (const r of Array.isArray(e.r) ? e.r : []) if (typeof r === 'string') x.rows.add(r);
    x.tooLarge ||= e.t === 1;
    x.at = Math.max(x.at, at);
    out.set(e.s, x);
  }
  return new Map(
    [...out].map(([s, x]) => [s, { seq: x.seq, rows: [...x.rows], tooLarge: x.tooLarge, at: x.at }]),
  );
}

import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { isRowTooLarge } from './number-refusal.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { retrying } from './write-extrema.ts';

/** How long an exclusion item outlives its last entry: past the redelivery horizon (25 h) with a margin. */
const EXCLUSION_TTL_SECONDS = 48 * 3600;

/**
 * A record of a shard the store refused for good (a sum it cannot hold, a row over 400 KB): it becomes a dead
 * letter, is taken back from the rows it reached, and must never be counted anywhere, whatever later deliveries
 * find: its entry is kept until the record is past the redelivery horizon, since a row that refused it may take it
 * later (another record lowered its sum). `rows` are hashes ({@link rowHash}) of the rows that refused it (never
 * to be taken back from). `kept` are hashes of the rows whose take-back the store refused too: they keep the record
 * for good (its letter leaves them out of a replay, and that letter is never rewritten), so no later delivery takes
 * it back from them, even where it could.
 */
export interface Exclusion {
  readonly seq: string;
  readonly rows: readonly string[];
  /** Rows that keep the record (their take-back was refused): never to be taken back from, nor replayed to. */
  readonly kept?: readonly string[] | undefined;
  readonly tooLarge: boolean;
  /**
   * `'transaction'`: refused before it was sent, its rows of one rollup holding more than one transaction may carry
   * (DynamoDB's 4 MB), not by a row over 400 KB; a later delivery's dead letter names that cause (with `tooLarge`).
   */
  readonly over?: 'transaction' | undefined;
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
  /**
   * Per rollup, the page new entries go to (learnt from the batch's read and from full pages; 0 when unknown:
   * a full page is then found by DynamoDB's refusal and the next one tried).
   */
  pages?: Map<string, number>;
}

/**
 * The {@link ExclusionContext} of an applier's batch: its store (client, table, retry), the batch's shard and
 * clock, its rollups' storage names, and where reads are counted.
 *
 * @example
 * ```ts
 * const ctx = exclusionContext(options, { source, shardId, now }, rollups, report, new Map());
 * ```
 */
export function exclusionContext(
  store: {
    readonly client: DynamoDBClient;
    readonly table: string;
    readonly retry?: RetryOptions | undefined;
  },
  batch: { readonly source: string; readonly shardId: string; readonly now: number },
  rollups: readonly CompiledRollup[],
  report: ApplyReport,
  pages?: Map<string, number>,
): ExclusionContext {
  return {
    client: store.client,
    table: store.table,
    now: batch.now,
    report,
    ...(store.retry ? { retry: store.retry } : {}),
    source: batch.source,
    shardId: batch.shardId,
    rollups: rollups.map((r) => r.name),
    ...(pages === undefined ? {} : { pages }),
  };
}

/** Pages an exclusion list may take (about 4,300 entries a page): past this, recording fails loudly. */
const MAX_PAGES = 1000;

/** Where a stored entry lives: the sort key of its item (a rollup's page). */
export interface StoredExclusion {
  readonly entry: string;
  readonly sk: string;
}

/** What {@link readExclusions} read: the raw entries with their items, and the exclusions merged by record. */
export interface StoredExclusions {
  raw: StoredExclusion[];
  bySeq: Map<string, Exclusion>;
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
 * The key of a shard's exclusion item for one rollup (a version's own name): `~wx#<shard>` / `<stream>|<rollup>`,
 * and `…|<rollup>#p<n>` for its further pages (an item holds about 4,300 entries; rollup names have no `#`).
 * Per rollup, not per applier: under rollup versions the applier writing a rollup changes from batch to batch (a
 * version joins the serving versions' applier once the batch is past its backfill's window), and a redelivery cut
 * differently must still find every entry its rollups were given. All of a shard's items share a partition key,
 * so one `Query` reads every page of every rollup.
 *
 * @example
 * ```ts
 * exclusionKey(streamArn, 'shardId-1', 'amounts'); // { pk: { S: '~wx#shardId-1' }, sk: { S: `${streamArn}|amounts` } }
 * exclusionKey(streamArn, 'shardId-1', 'amounts', 2).sk.S; // `${streamArn}|amounts#p2`
 * ```
 */
export function exclusionKey(source: string, shardId: string, rollup: string, page = 0) {
  return {
    pk: { S: `~wx#${shardId}` },
    sk: { S: page === 0 ? `${source}|${rollup}` : `${source}|${rollup}#p${page}` },
  };
}

/** The rollup and page of an exclusion item's sort key under `source`, or undefined when it is not one. */
function pageOf(source: string, sk: string): { rollup: string; page: number } | undefined {
  if (!sk.startsWith(`${source}|`)) return undefined;
  const rest = sk.slice(source.length + 1);
  const at = rest.lastIndexOf('#p');
  if (at < 0) return { rollup: rest, page: 0 };
  const page = Number(rest.slice(at + 2));
  return Number.isSafeInteger(page) && page > 0 ? { rollup: rest.slice(0, at), page } : undefined;
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
    // a full page (the item would pass 400 KB) sends the entry to the next one: a shard never blocks on its list
    for (let page = ctx.pages?.get(rollup) ?? 0; ; page++) {
      try {
        const out = await withRetry(
          () =>
            ctx.client.send(
              new UpdateItemCommand({
                TableName: ctx.table,
                Key: exclusionKey(ctx.source, ctx.shardId, rollup, page),
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
        ctx.pages?.set(rollup, page);
        break;
      } catch (e) {
        ctx.report.requests++;
        if (!isRowTooLarge(e) || page + 1 >= MAX_PAGES) throw e;
      }
    }
  }
}

/**
 * The shard's stored exclusions for the applier's rollups (one consistent `Query` of the shard's partition, every
 * page): the raw entries with the item each lives in, and the exclusions merged by record. Sets `ctx.pages` to
 * each rollup's last page.
 *
 * @example
 * ```ts
 * const { bySeq } = await readExclusions(ctx);
 * ```
 */
export async function readExclusions(ctx: ExclusionContext): Promise<StoredExclusions> {
  const raw: StoredExclusion[] = [];
  const mine = new Set(ctx.rollups);
  const { pk } = exclusionKey(ctx.source, ctx.shardId, '');
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out: QueryCommandOutput = await withRetry(
      () =>
        ctx.client.send(
          new QueryCommand({
            TableName: ctx.table,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :source)',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': pk, ':source': { S: `${ctx.source}|` } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      retrying(ctx),
    );
    for (const item of out.Items ?? []) {
      const sk = item.sk?.S ?? '';
      const at = pageOf(ctx.source, sk);
      if (at === undefined || !mine.has(at.rollup)) continue;
      if (at.page > (ctx.pages?.get(at.rollup) ?? 0)) ctx.pages?.set(at.rollup, at.page);
      for (const entry of item.ex?.SS ?? []) raw.push({ entry, sk });
    }
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return { raw, bySeq: decodeExclusions(raw.map((r) => r.entry)) };
}

/**
 * Removes entries (those whose records are past the redelivery horizon) from the items they were read from.
 *
 * @example
 * ```ts
 * await clearExclusions(stored.raw.filter(isPast), ctx);
 * ```
 */
export async function clearExclusions(
  entries: readonly StoredExclusion[],
  ctx: ExclusionContext,
): Promise<void> {
  const byItem = new Map<string, Set<string>>();
  for (const e of entries) {
    const set = byItem.get(e.sk) ?? new Set<string>();
    set.add(e.entry);
    byItem.set(e.sk, set);
  }
  const { pk } = exclusionKey(ctx.source, ctx.shardId, '');
  for (const [sk, set] of byItem) {
    // a DELETE names at most what one request carries; a page holds less than that
    await withRetry(
      () =>
        ctx.client.send(
          new UpdateItemCommand({
            TableName: ctx.table,
            Key: { pk, sk: { S: sk } },
            UpdateExpression: 'DELETE #ex :e',
            ExpressionAttributeNames: { '#ex': 'ex' },
            ExpressionAttributeValues: { ':e': { SS: [...set] } },
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
  const kept = exclusion.kept ?? [];
  return JSON.stringify({
    s: exclusion.seq,
    r: exclusion.rows,
    ...(kept.length > 0 ? { k: kept } : {}),
    t: exclusion.tooLarge ? 1 : 0,
    // apart from `t` (still 1): a release before it reads the entry as it did, a row over 400 KB
    ...(exclusion.over === 'transaction' ? { o: 1 } : {}),
    a: exclusion.at,
  });
}

/**
 * Stored entries, merged by record (the rows of every entry of a record together, and the kept rows).
 *
 * @example
 * ```ts
 * decodeExclusions(['{"s":"000…42","r":["Qm9…"],"t":0,"a":1763800000}']).get('000…42')?.rows; // ['Qm9…']
 * ```
 */
export function decodeExclusions(entries: Iterable<string>): Map<string, Exclusion> {
  const out = new Map<
    string,
    { seq: string; rows: Set<string>; kept: Set<string>; tooLarge: boolean; over: boolean; at: number }
  >();
  for (const raw of entries) {
    let e: { s?: unknown; r?: unknown; k?: unknown; t?: unknown; o?: unknown; a?: unknown };
    try {
      e = JSON.parse(raw) as typeof e;
    } catch {
      continue; // not ours
    }
    if (typeof e.s !== 'string') continue;
    const at = typeof e.a === 'number' ? e.a : 0;
    const x = out.get(e.s) ?? {
      seq: e.s,
      rows: new Set<string>(),
      kept: new Set<string>(),
      tooLarge: false,
      over: false,
      at,
    };
    for (const r of Array.isArray(e.r) ? e.r : []) if (typeof r === 'string') x.rows.add(r);
    for (const k of Array.isArray(e.k) ? e.k : []) if (typeof k === 'string') x.kept.add(k);
    x.tooLarge ||= e.t === 1;
    x.over ||= e.o === 1;
    x.at = Math.max(x.at, at);
    out.set(e.s, x);
  }
  return new Map(
    [...out].map(([s, x]) => [
      s,
      {
        seq: x.seq,
        rows: [...x.rows],
        kept: [...x.kept],
        tooLarge: x.tooLarge,
        ...(x.over ? { over: 'transaction' as const } : {}),
        at: x.at,
      },
    ]),
  );
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { type Item, type ReadStats, rowKey } from './fetch.ts';
import type { HistoryCache } from './history-cache.ts';
import { type LiveSnapshot, type LiveSource, mergeLive, noLiveSource } from './live-source.ts';
import type { ReadCost, WindowInfo } from './results.ts';
import type { RowRun } from './row-reads.ts';
import type { ResolvedWindow } from './window-spec.ts';
import { zonedIso } from './zoned-iso.ts';

/**
 * What every call of a query client shares.
 *
 * @example
 * ```ts
 * const ctx: ClientContext = { client, table: 'aggregates', registry, live: noLiveSource, concurrency: 16, now: Date.now,
 *   histories: new HistoryCache(client, 'aggregates') };
 * ```
 */
export interface ClientContext {
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly registry: ReadonlyMap<string, CompiledRollup>;
  readonly live: LiveSource;
  readonly concurrency: number;
  readonly now: () => number;
  /** The rollups' retention histories, loaded before a call is planned (`explain` uses what is cached). */
  readonly histories: HistoryCache;
}

/**
 * Options every reading call takes.
 *
 * @example
 * ```ts
 * await query.total(jobs, { customerId: 'c-1' }, { last: '24h' }, { consistent: true });
 * ```
 */
export interface ReadOptions {
  /** Strongly consistent reads (twice the read units). Default: eventually consistent. */
  readonly consistent?: boolean;
}

/**
 * A call prepared but not sent: its explanation and the function that sends it.
 *
 * @example
 * ```ts
 * const p = prepareTotal(ctx, jobs, group, { last: '24h' }, {});
 * console.log(p.explain().requests.length);
 * const result = await p.run();
 * ```
 */
export interface Prepared<T, E> {
  explain(): E;
  run(): Promise<T>;
}

/**
 * A resolved window with its ISO edges in the rollup's zone.
 *
 * @example
 * ```ts
 * windowInfo(c, plan.window).fromIso;
 * ```
 */
export function windowInfo(c: CompiledRollup, w: ResolvedWindow): WindowInfo {
  return { ...w, zone: c.timeZone, fromIso: zonedIso(c.calendar, w.from), toIso: zonedIso(c.calendar, w.to) };
}

/**
 * Reads the live snapshot of some groups (before DynamoDB is read), or `undefined` without a live source.
 *
 * @example
 * ```ts
 * const snapshot = await liveSnapshot(ctx, [pk]);
 * ```
 */
export async function liveSnapshot(
  ctx: ClientContext,
  pks: readonly string[],
): Promise<LiveSnapshot | undefined> {
  return ctx.live === noLiveSource ? undefined : ctx.live.read(pks);
}

/**
 * Adds the live deltas to every planned row of every group, in place (rows missing in DynamoDB are created
 * when they have deltas), once per distinct partition key. Returns the number of attributes merged.
 *
 * @example
 * ```ts
 * const merged = mergeSnapshot(ctx, rows, [pk], plan.runs, snapshot);
 * ```
 */
export function mergeSnapshot(
  ctx: ClientContext,
  rows: Map<string, Item>,
  pks: readonly string[],
  runs: readonly RowRun[],
  snapshot: LiveSnapshot | undefined,
): number {
  if (snapshot === undefined) return 0;
  let merged = 0;
  // a group listed twice (or spelt two ways: 1.5 and { N: '1.50' }) shares its rows: merge each row once
  for (const pk of new Set(pks)) {
    for (const run of runs) {
      for (const b of run.rows) {
        const k = rowKey(pk, b.label);
        const out = mergeLive(rows.get(k), pk, b.label, snapshot, ctx.live.markerAttribute);
        if (out.item !== undefined) rows.set(k, out.item);
        merged += out.merged;
      }
    }
  }
  return merged;
}

/**
 * The attributes every row read must also return: the live source's flush marker, when there is one.
 *
 * @example
 * ```ts
 * readRequests(c, table, groups, consistent, extraAttributes(ctx));
 * ```
 */
export function extraAttributes(ctx: ClientContext): readonly string[] {
  return ctx.live === noLiveSource ? [] : [ctx.live.markerAttribute];
}

/**
 * The read cost of a call.
 *
 * @example
 * ```ts
 * const cost = readCost(stats);
 * ```
 */
export function readCost(stats: ReadStats): ReadCost {
  return { requests: stats.requests, itemsRead: stats.itemsRead, readUnits: stats.readUnits };
}

/**
 * Prepares a call, turning the calendar's `VALUE_INVALID` (an instant outside years 0001–9998, reached by a
 * window or bucket at the calendar's edges from arguments each check accepts) into `QUERY_INVALID`.
 *
 * @example
 * ```ts
 * const p = planned(() => prepareTotal(ctx, jobs, { customerId: 'c-1' }, { lastYears: 2100 })); // QUERY_INVALID
 * ```
 */
export function planned<T>(prepare: () => T): T {
  try {
    return prepare();
  } catch (e) {
    if (!isDynotallyError(e, 'VALUE_INVALID')) throw e;
    throw new DynotallyError(
      'QUERY_INVALID',
      `the window or bucket reaches outside the years the calendar covers (0001 to 9998 in the rollup's zone): move it or shorten it`,
      { details: e.details, cause: e },
    );
  }
}

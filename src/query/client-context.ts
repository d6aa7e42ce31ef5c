import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup, GroupValue } from '../definition/index.ts';
import { indexLive, type LiveIndex } from './evaluate.ts';
import type { ReadStats } from './fetch.ts';
import { type LiveSource, noLiveSource } from './live-source.ts';
import type { ReadCost, WindowInfo } from './results.ts';
import type { ResolvedWindow } from './window-spec.ts';
import { zonedIso } from './zoned-iso.ts';

/**
 * What every call of a query client shares.
 *
 * @example
 * ```ts
 * const ctx: ClientContext = { client, table: 'aggregates', registry, live: noLiveSource, concurrency: 16, now: Date.now };
 * ```
 */
export interface ClientContext {
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly registry: ReadonlyMap<string, CompiledRollup>;
  readonly live: LiveSource;
  readonly concurrency: number;
  readonly now: () => number;
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
 * The live cells of one group, or `undefined` when the client has no live source.
 *
 * @example
 * ```ts
 * const live = await liveCells(ctx, c, pk, values, from, to, ['day'], ['orders']);
 * ```
 */
export async function liveCells(
  ctx: ClientContext,
  rollup: CompiledRollup,
  pk: string,
  group: readonly GroupValue[],
  from: number,
  to: number,
  granularities: readonly string[],
  measures: readonly string[],
): Promise<LiveIndex | undefined> {
  if (ctx.live === noLiveSource) return undefined;
  const cells = await ctx.live.cells({ rollup, pk, group, from, to, granularities, measures });
  return indexLive(cells);
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

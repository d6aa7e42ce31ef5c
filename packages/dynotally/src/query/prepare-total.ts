import { DynotallyError } from '../errors/index.ts';
import {
  type ClientContext,
  extraAttributes,
  liveSnapshot,
  mergeSnapshot,
  type Prepared,
  type ReadOptions,
  readCost,
  windowInfo,
} from './client-context.ts';
import { evaluate } from './evaluate.ts';
import { emptyStats, indexItems, sendAll } from './fetch.ts';
import type { MeasureValue } from './measure-value.ts';
import { planTotal } from './plan-total.ts';
import { plannedRows, readRequests } from './request-params.ts';
import type { Explanation, TotalManyResult, TotalResult } from './results.ts';
import { findRollup, groupKey, onlyKeysOf, type RollupRef } from './validate.ts';
import type { WindowSpec } from './window-spec.ts';

/**
 * The most groups one `totalMany` reads.
 *
 * @example
 * ```ts
 * groups.length <= MAX_GROUPS; // 10_000
 * ```
 */
export const MAX_GROUPS = 10_000;

/**
 * Options of `total` and `totalMany`.
 *
 * @example
 * ```ts
 * const o: TotalOptions<'orders' | 'views'> = { measures: ['orders'], consistent: true };
 * ```
 */
export interface TotalOptions<M extends string = string> extends ReadOptions {
  /** Measures to compute (default: all; measures that cannot answer the window are then `omitted`). */
  readonly measures?: readonly M[];
}

/**
 * Prepares `totalMany` (and `total`, as one group): one plan for the window, the same rows for every group;
 * runs of consecutive rows become one `Query` per group, single rows of all groups share `BatchGetItem`s.
 *
 * @example
 * ```ts
 * const p = prepareTotalMany(ctx, jobs, [{ customerId: 'a' }], { last: '24h' }, {});
 * p.explain().requests;
 * ```
 */
export function prepareTotalMany(
  ctx: ClientContext,
  rollup: RollupRef,
  groups: readonly unknown[],
  window: WindowSpec,
  options: TotalOptions = {},
): Prepared<TotalManyResult<unknown>, Explanation> {
  const c = findRollup(ctx.registry, rollup);
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_GROUPS) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `groups must be a list of 1 to ${MAX_GROUPS} groups of rollup '${c.name}', e.g. [{ ${(c.groupNames ?? ['id']).map((a) => `${a}: 'x'`).join(', ')} }]`,
      { details: { rollup: c.name, groups: Array.isArray(groups) ? groups.length : typeof groups } },
    );
  }
  const keys = Array.from(groups, (g) => groupKey(c, g)); // a hole is a missing group, not a TypeError
  const consistent = options?.consistent === true; // `null` options are no options
  onlyKeysOf(options, ['measures', 'consistent'], 'the total() or totalMany() options');
  const plan = planTotal(c, window, {
    now: ctx.now(),
    measures: options?.measures,
    history: ctx.histories.get(c),
  });
  const req = readRequests(
    c,
    ctx.table,
    keys.map((k) => ({ pk: k.pk, runs: plan.runs })),
    consistent,
    extraAttributes(ctx),
  );
  const selected = plan.measures
    .map((m) => m.measure)
    .concat(plan.omitted.map((o) => c.measures.find((m) => m.name === o.measure)!));
  const info = windowInfo(c, plan.window);
  return {
    explain: () => ({
      call: groups.length === 1 ? 'total' : 'totalMany',
      window: info,
      computedFrom: plan.computedFrom,
      rows: keys.flatMap((k) => plannedRows(k.pk, plan.runs)),
      requests: req.requests,
      estimatedReadUnits: req.estimatedReadUnits,
      omitted: plan.omitted,
      notes: [
        `${plan.window.description}; ${plan.runs.length} run${plan.runs.length === 1 ? '' : 's'} of consecutive rows per group: a Query per run of 2 or more rows, single rows batched in BatchGetItem (≤ 100 keys)`,
        consistent
          ? 'strongly consistent reads'
          : 'eventually consistent reads (pass { consistent: true } for strong reads)',
      ],
    }),
    run: async () => {
      const stats = emptyStats();
      const pks = keys.map((k) => k.pk);
      const snapshot = await liveSnapshot(ctx, pks); // before DynamoDB: see LiveSource
      const rows = indexItems(await sendAll(ctx.client, req.requests, ctx.concurrency, stats));
      const live = mergeSnapshot(ctx, rows, pks, plan.runs, snapshot);
      const results = keys.map((k, i) => ({
        group: groups[i],
        values: evaluate(k.pk, plan.measures, rows, selected),
      }));
      return {
        results,
        window: info,
        computedFrom: plan.computedFrom,
        rows: plan.rows,
        omitted: plan.omitted,
        liveAttributes: live,
        ...readCost(stats),
      };
    },
  };
}

/**
 * Prepares `total` for one group.
 *
 * @example
 * ```ts
 * const r = await prepareTotal(ctx, jobs, { customerId: 'c-1' }, { last: '24h' }).run();
 * ```
 */
export function prepareTotal(
  ctx: ClientContext,
  rollup: RollupRef,
  group: unknown,
  window: WindowSpec,
  options: TotalOptions = {},
): Prepared<TotalResult, Explanation> {
  const many = prepareTotalMany(ctx, rollup, [group], window, options);
  return {
    explain: many.explain,
    run: async () => {
      const r = await many.run();
      const { results, ...rest } = r;
      return { ...rest, values: (results[0] as { values: Record<string, MeasureValue> }).values };
    },
  };
}

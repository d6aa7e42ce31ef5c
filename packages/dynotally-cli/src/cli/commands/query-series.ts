import type { Command } from 'commander';
import type { Granularity, QueryClient, SeriesSpec } from 'dynotally';
import { z } from 'zod';
import type { CliContext } from '../context.ts';
import { formatTable } from '../output/table.ts';
import {
  addGroupOptions,
  addWindowOptions,
  measuresOption,
  parseGroup,
  toInstant,
  windowFlagsSchema,
  windowFromFlags,
} from './query-args.ts';
import {
  addQueryOptions,
  describeCost,
  describeWindow,
  formatExplanation,
  showValue,
  withQuery,
} from './query-kit.ts';

const flagsSchema = windowFlagsSchema.extend({
  // checked once the rollup is known, so the hint names its groupBy (checkGroupGiven)
  group: z.array(z.string()).default([]),
  granularity: z.string({ message: "give --granularity, e.g. 'hour', 'day', 'month'" }).min(1),
  measures: z.string().optional(),
  explain: z.boolean().optional(),
});

/**
 * `dynotally query series <rollup>`: one point per bucket of a granularity, gaps filled.
 *
 * @example
 * ```ts
 * registerQuerySeries(queryCmd, ctx); // dynotally query series energy --group deviceId=meter-01 --granularity hour --calendar day
 * ```
 */
export function registerQuerySeries(parent: Command, ctx: CliContext): void {
  const cmd = parent
    .command('series')
    .description('one point per bucket (hour, day, month …) over a window, gaps filled with zeros')
    .argument('<rollup>', 'rollup name')
    .option('--granularity <g>', "bucket size: 'minute', '15m', 'hour', 'day', 'week', 'month', 'year'");
  addGroupOptions(cmd, 'comma-separated measures (default: all)');
  addWindowOptions(cmd);
  addQueryOptions(cmd, ctx.io.env);
  cmd
    .addHelpText(
      'after',
      `
Examples:
  dynotally query series energy --group deviceId=meter-01 --granularity hour --calendar day
  dynotally query series store --group storeId=store-001 --granularity day --last-days 30 --json`,
    )
    .action(async (rollup: string, _opts, c: Command) => {
      const flags = ctx.flags(c, flagsSchema);
      const group = parseGroup(flags.group);
      const window = windowFromFlags(flags);
      // a flag is any string: the query client checks it (GRANULARITY_INVALID)
      const granularity = flags.granularity as Granularity;
      // --from/--to alone: the buckets overlapping them, edges anywhere; with --round, the window rounded so
      // (dropping --round here answered 'outward' whatever was asked)
      const spec: SeriesSpec =
        typeof window === 'object' && 'from' in window && flags.round === undefined
          ? {
              granularity,
              from: toInstant(String(flags.from)),
              to: toInstant(String(flags.to)),
            }
          : { granularity, window };
      const options = measuresOption(flags.measures);
      const plan = (explain: QueryClient['explain']) => explain.series(rollup, group, spec, options);
      await withQuery(
        ctx,
        c,
        { rollup, group, plan, groupRequiredBy: 'query series' },
        async (query, globals) => {
          if (flags.explain) {
            const e = query.explain.series(rollup, group, spec, options);
            ctx.emit(globals, e, () => formatExplanation(e));
            return;
          }
          const r = await query.series(rollup, group, spec, options);
          ctx.emit(globals, { rollup, group, ...r }, () => {
            const names = Object.keys(r.points[0]?.values ?? {});
            let out = `${rollup} by ${r.granularity}, ${describeWindow(r.window)}\n\n`;
            out += formatTable(r.points, [
              { header: 'BUCKET', value: (p) => p.iso },
              ...names.map((n) => ({
                header: n.toUpperCase(),
                value: (p: (typeof r.points)[number]) => showValue((p.values as Record<string, unknown>)[n]),
                align: 'right' as const,
              })),
            ]);
            // as query total: a measure left out is a column of '–' otherwise, with no word why
            for (const o of r.omitted) out += `omitted ${o.measure}: ${o.reason}\n`;
            return `${out}\n${describeCost(r)}\n`;
          });
        },
      );
    });
}

import type { Command } from 'commander';
import type { GroupValue, QueryClient, WindowInfo } from 'dynotally';
import { z } from 'zod';
import type { CliContext } from '../context.ts';
import { formatTable } from '../output/table.ts';
import {
  addGroupOptions,
  addWindowOptions,
  groupPairs,
  measuresOption,
  parseGroup,
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
  measures: z.string().optional(),
  explain: z.boolean().optional(),
});

/**
 * `dynotally query total <rollup>`: a group's measures over one window.
 *
 * @example
 * ```ts
 * registerQueryTotal(queryCmd, ctx); // dynotally query total jobs --group customerId=acme --last 24h
 * ```
 */
export function registerQueryTotal(parent: Command, ctx: CliContext): void {
  const cmd = parent
    .command('total')
    .description("a group's measures over a window: rolling, explicit, calendar or all time")
    .argument(
      '<rollup>',
      'rollup name (see your config; the built-in ones: jobs, scans, favourites, energy, store)',
    );
  addGroupOptions(cmd, 'comma-separated measures (default: all)');
  addWindowOptions(cmd);
  addQueryOptions(cmd, ctx.io.env);
  cmd
    .addHelpText(
      'after',
      `
Examples:
  dynotally query total jobs --group customerId=acme --last 24h
  dynotally query total scans --group projectId=atlas --calendar month --json
  dynotally query total store --group storeId=store-001 --last-days 30
  dynotally query total jobs --group customerId=acme --last 24h --endpoint http://127.0.0.1:8000 --reference
    (the dev stack's reference rollups, from a directory whose dynotally.config.ts has no 'jobs')`,
    )
    .action(async (rollup: string, _opts, c: Command) => {
      const flags = ctx.flags(c, flagsSchema);
      const group = parseGroup(flags.group);
      const window = windowFromFlags(flags);
      const options = measuresOption(flags.measures);
      const plan = (explain: QueryClient['explain']) => explain.total(rollup, group, window, options);
      await withQuery(
        ctx,
        c,
        { rollup, group, plan, groupRequiredBy: 'query total' },
        async (query, globals) => {
          if (flags.explain) {
            const e = query.explain.total(rollup, group, window, options);
            ctx.emit(globals, e, () => formatExplanation(e));
            return;
          }
          const r = await query.total(rollup, group, window, options);
          ctx.emit(globals, { rollup, group, ...r }, () => {
            const rows = Object.entries(r.values).map(([measure, value]) => ({ measure, value }));
            let out = `${totalHeading(rollup, group, r.window)}\n\n`;
            out += formatTable(rows, [
              { header: 'MEASURE', value: (x) => x.measure },
              { header: 'VALUE', value: (x) => showValue(x.value), align: 'right' },
            ]);
            for (const o of r.omitted) out += `omitted ${o.measure}: ${o.reason}\n`;
            return `${out}\n${describeCost(r)}\n`;
          });
        },
      );
    });
}

/**
 * `query total`'s first line: the rollup, the group as the `--group` value that names it again ({@link groupPairs},
 * as `query top` and `verify` print groups) and the window.
 *
 * @example
 * ```ts
 * totalHeading('orders', { storeId: 's-1', year: 2026 }, r.window);
 * // 'orders storeId=s-1,year:n=2026, last 24h to the minute: … (UTC)'
 * ```
 */
export function totalHeading(
  rollup: string,
  group: Readonly<Record<string, GroupValue>>,
  window: WindowInfo,
): string {
  return `${rollup} ${groupPairs(group)}, ${describeWindow(window)}`;
}

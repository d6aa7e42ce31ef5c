import type { Command } from 'commander';
import type { QueryClient } from 'dynotally';
import { z } from 'zod';
import type { CliContext } from '../context.ts';
import { formatTable } from '../output/table.ts';
import { addGroupOptions, measuresOption, parseGroup } from './query-args.ts';
import { addQueryOptions, describeCost, formatExplanation, showValue, withQuery } from './query-kit.ts';

const flagsSchema = z.object({
  // checked once the rollup is known, so the hint names its groupBy (checkGroupGiven)
  group: z.array(z.string()).default([]),
  measures: z.string().optional(),
  explain: z.boolean().optional(),
});

/**
 * `dynotally query latest <rollup>`: the latest values of a group's `last` measures, with their event times.
 *
 * @example
 * ```ts
 * registerQueryLatest(queryCmd, ctx); // dynotally query latest energy --group deviceId=meter-01
 * ```
 */
export function registerQueryLatest(parent: Command, ctx: CliContext): void {
  const cmd = parent
    .command('latest')
    .description("a group's latest values (last measures) and when they happened")
    .argument('<rollup>', 'rollup name');
  addGroupOptions(cmd, 'comma-separated last measures (default: all)');
  addQueryOptions(cmd, ctx.io.env);
  cmd
    .addHelpText('after', '\nExample:\n  dynotally query latest energy --group deviceId=meter-01')
    .action(async (rollup: string, _opts, c: Command) => {
      const flags = ctx.flags(c, flagsSchema);
      const group = parseGroup(flags.group);
      const options = measuresOption(flags.measures);
      const plan = (explain: QueryClient['explain']) => explain.latest(rollup, group, options);
      await withQuery(
        ctx,
        c,
        { rollup, group, plan, groupRequiredBy: 'query latest' },
        async (query, globals) => {
          if (flags.explain) {
            const e = query.explain.latest(rollup, group, options);
            ctx.emit(globals, e, () => formatExplanation(e));
            return;
          }
          const r = await query.latest(rollup, group, options);
          ctx.emit(globals, { rollup, group, ...r }, () => {
            const rows = Object.entries(r.values).map(([measure, v]) => ({ measure, v }));
            const out = formatTable(rows, [
              { header: 'MEASURE', value: (x) => x.measure },
              { header: 'VALUE', value: (x) => showValue(x.v?.value ?? null), align: 'right' },
              { header: 'AT', value: (x) => x.v?.iso ?? '' },
            ]);
            return `${out}\n${describeCost(r)}\n`;
          });
        },
      );
    });
}

import type { Command } from 'commander';
import { DynotallyError, type GroupValue, type QueryClient, type TopBucket, type TopEntry } from 'dynotally';
import { z } from 'zod';
import type { CliContext } from '../context.ts';
import { countFlagIn } from '../flags.ts';
import { numericFlag } from '../numeric-flag.ts';
import { formatTable } from '../output/table.ts';
import { groupPair, groupPairs, toInstant } from './query-args.ts';
import { addQueryOptions, describeCost, formatExplanation, showValue, withQuery } from './query-kit.ts';

const flagsSchema = z.object({
  measure: z.string().optional(),
  bucket: z.string().default('all'),
  offset: numericFlag('expected a whole number such as -1')
    .pipe(z.number().int('expected a whole number such as -1'))
    .optional(),
  limit: countFlagIn(1, 1000).default(10),
  at: z.string().optional(),
  explain: z.boolean().optional(),
});

const UNITS = new Set(['day', 'week', 'month', 'year']);

/**
 * `dynotally query top <rollup>`: a leaderboard (the groups with the largest values in one bucket).
 *
 * @example
 * ```ts
 * registerQueryTop(queryCmd, ctx); // dynotally query top favourites --bucket month --limit 10
 * ```
 */
export function registerQueryTop(parent: Command, ctx: CliContext): void {
  const cmd = parent
    .command('top')
    .description('the groups with the largest values of a ranked measure, all time or in one calendar bucket')
    .argument('<rollup>', 'rollup name (it needs a leaderboard)')
    .option('--measure <name>', "ranked measure (default: the rollup's leaderboard measure)")
    .option(
      '--bucket <b>',
      "'all', the current 'day' | 'week' | 'month' | 'year', or a label such as M2026-11",
      'all',
    )
    .option('--offset <n>', 'with a calendar --bucket: periods before (-1) the current one (default 0)')
    .option('--limit <n>', 'how many entries (1–1000)', '10')
    .option('--at <instant>', 'the instant that counts as now');
  addQueryOptions(cmd, ctx.io.env);
  cmd
    .addHelpText(
      'after',
      `
Examples:
  dynotally query top favourites --limit 10
  dynotally query top favourites --bucket month --offset -1 --json`,
    )
    .action(async (rollup: string, _opts, c: Command) => {
      const flags = ctx.flags(c, flagsSchema);
      if (flags.offset !== undefined && !UNITS.has(flags.bucket))
        // ignored, it would rank the bucket named instead of the one meant (--bucket M2026-11 --offset -1)
        throw new DynotallyError(
          'CONFIG_INVALID',
          `--offset ${flags.offset} moves a calendar --bucket (day, week, month or year); --bucket ${flags.bucket} does not take it: name the bucket itself (e.g. --bucket M2026-10) or use --bucket month --offset ${flags.offset}`,
        );
      const bucket: TopBucket =
        UNITS.has(flags.bucket) && flags.offset !== undefined && flags.offset !== 0
          ? { calendar: flags.bucket as 'day' | 'week' | 'month' | 'year', offset: flags.offset }
          : flags.bucket;
      const spec = {
        bucket,
        limit: flags.limit,
        ...(flags.measure === undefined ? {} : { measure: flags.measure }),
        ...(flags.at === undefined ? {} : { at: toInstant(flags.at) }),
      };
      const plan = (explain: QueryClient['explain']) => explain.top(rollup, spec);
      await withQuery(ctx, c, { rollup, plan }, async (query, globals) => {
        if (flags.explain) {
          const e = query.explain.top(rollup, spec);
          ctx.emit(globals, e, () => formatExplanation(e));
          return;
        }
        const r = await query.top(rollup, spec);
        ctx.emit(globals, { rollup, ...r }, () => {
          let out = `${rollup}: top ${flags.limit} by ${r.measure}, bucket ${r.bucket.label}\n\n`;
          out += formatTable(r.entries, [
            { header: 'RANK', value: (e) => e.rank },
            { header: 'GROUP', value: topGroupText },
            { header: r.measure.toUpperCase(), value: (e) => showValue(e.value), align: 'right' },
          ]);
          return `${out}\n${describeCost(r)}\n`;
        });
      });
    });
}

/**
 * A leaderboard entry's group as the `--group` value that names it again (pairs joined with commas, as `verify`'s
 * drift table prints groups): the string `'7'` is `accountId=7`, the number 7 `accountId:n=7`, and a group of two
 * attributes `storeId=s-1,year:n=2026`. A groupBy function's attribute names are not kept in the row key: with
 * declared names (`groupBy: { names, fn }`) the entry's group has them, else its values show the pairs without
 * them (`=7`, `:n=7`), in sorted attribute-name order.
 *
 * @example
 * ```ts
 * topGroupText({ group: { accountId: 7 }, groupValues: [7] }); // 'accountId:n=7'
 * topGroupText({ group: undefined, groupValues: ['acme', 7] }); // '=acme,:n=7'
 * ```
 */
export function topGroupText(e: Pick<TopEntry<unknown>, 'group' | 'groupValues'>): string {
  if (e.group !== undefined && e.group !== null)
    return groupPairs(e.group as Readonly<Record<string, GroupValue>>);
  return e.groupValues.map((v) => groupPair('', v)).join(',');
}

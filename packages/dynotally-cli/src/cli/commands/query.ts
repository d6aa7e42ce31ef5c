import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { registerQueryLatest } from './query-latest.ts';
import { registerQuerySeries } from './query-series.ts';
import { registerQueryTop } from './query-top.ts';
import { registerQueryTotal } from './query-total.ts';

/**
 * `dynotally query total|series|top|latest`: read aggregates through the query client.
 *
 * @example
 * ```ts
 * registerQuery(program, ctx);
 * ```
 */
export function registerQuery(program: Command, ctx: CliContext): void {
  const query = program
    .command('query')
    .description('read aggregates: totals over windows, series, leaderboards, latest values');
  registerQueryTotal(query, ctx);
  registerQuerySeries(query, ctx);
  registerQueryTop(query, ctx);
  registerQueryLatest(query, ctx);
}

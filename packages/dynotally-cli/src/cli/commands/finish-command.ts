import type { ControlItem } from 'dynotally';

/**
 * The command that makes an unfinished version of a rollup serve: `dynotally backfill <rollup> --promote` for one
 * `building` (`--resume` once its backfill started), `dynotally rollups promote <rollup> <n>` for one `ready`;
 * `undefined` for one that serves or is retired.
 *
 * @example
 * ```ts
 * finishCommand('orders', { version: 2, state: 'building', ...entry }); // 'dynotally backfill orders --promote'
 * ```
 */
export function finishCommand(rollup: string, entry: ControlItem['versions'][number]): string | undefined {
  if (entry.state === 'building')
    return `dynotally backfill ${rollup} ${entry.backfill?.startedAt === undefined ? '' : '--resume '}--promote`;
  if (entry.state === 'ready') return `dynotally rollups promote ${rollup} ${entry.version}`;
  return undefined;
}

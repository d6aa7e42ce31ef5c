import { DynotallyError, type Rollup } from 'dynotally';

/** The flag that accepts the loss of the history a rollup with `ttlDeletes: 'ignore'` keeps. */
export const ACCEPT_FLAG = '--accept-expired-history-loss';

/**
 * Refuses `--accept-expired-history-loss` on `verify` without `--repair`: only a repair builds a version from the
 * source, so the flag would do nothing, and whoever typed it most likely meant to repair (a usage error before the
 * scan, rather than a verify that quietly repairs nothing).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` (exit 2) naming both flags.
 * @example
 * ```ts
 * checkAcceptNeedsRepair({ accept: true, repair: false }); // throws CONFIG_INVALID
 * ```
 */
export function checkAcceptNeedsRepair(flags: { accept: boolean; repair: boolean }): void {
  if (!flags.accept || flags.repair) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `${ACCEPT_FLAG} goes with --repair (only a repair rebuilds the rollup from the source): add --repair, or leave the flag out to verify only`,
    { details: { flag: ACCEPT_FLAG } },
  );
}

/**
 * The note printed (on stderr) when `--accept-expired-history-loss` is given for a rollup that keeps no expired
 * history (`ttlDeletes: 'subtract'`, the default): the flag changes nothing there, and the run goes on, so a
 * script giving it for every rollup keeps working; undefined otherwise.
 *
 * @example
 * ```ts
 * expiredHistoryFlagNote('backfill', storeMetrics, true);
 * // "backfill: --accept-expired-history-loss changes nothing for rollup 'store' …"
 * ```
 */
export function expiredHistoryFlagNote(command: string, rollup: Rollup, accept: boolean): string | undefined {
  if (!accept || rollup.compiled.ttlDeletes === 'ignore') return undefined;
  return `${command}: ${ACCEPT_FLAG} changes nothing for rollup '${rollup.compiled.name}': its ttlDeletes is '${rollup.compiled.ttlDeletes}', so TTL deletes are subtracted and a version built from the source loses no history`;
}

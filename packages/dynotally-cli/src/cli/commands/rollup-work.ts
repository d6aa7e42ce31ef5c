import type { Command } from 'commander';
import { DynotallyError, type Rollup } from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';
import { parseDuration } from 'dynotally/time';
import type { Settings } from '../config/settings.ts';
import { checkTimerMs } from '../timer-duration.ts';

/** The claim table `worker`, `backfill`, `verify --repair` and `dev --scenarios none` use unless told another. */
export const DEFAULT_CLAIM_TABLE = 'dynotally-claims';

/**
 * The configured rollup of a name (the definition the stream side deploys).
 *
 * @throws {DynotallyError} `UNKNOWN_ROLLUP` naming the configured ones.
 * @example
 * ```ts
 * const rollup = rollupNamed(settings, 'store');
 * ```
 */
export function rollupNamed(settings: Settings, name: string): Rollup {
  const found = settings.rollups.filter((r) => r.compiled.name === name);
  if (found.length === 0) throw unknownRollup(settings, name);
  if (found.length !== 1)
    throw new DynotallyError(
      'UNKNOWN_ROLLUP',
      `rollup '${name}' has ${found.length} definitions in ${settings.configPath ?? 'the config'}: keep the one to work on`,
      { details: { rollup: name } },
    );
  return found[0] as Rollup;
}

/**
 * The error for a rollup name the configuration does not define, naming the ones it does.
 *
 * @example
 * ```ts
 * throw unknownRollup(settings, 'stroe'); // UNKNOWN_ROLLUP: no rollup named 'stroe' in … (known: store, jobs)
 * ```
 */
export function unknownRollup(
  settings: Pick<Settings, 'rollups' | 'configPath' | 'reference'>,
  name: string,
): DynotallyError {
  const known = settings.rollups.map((r) => r.compiled.name);
  // without a file the rollups are the dev stack's reference configuration: say which, and why it is used
  const where =
    settings.configPath ??
    (settings.reference === true
      ? "the reference configuration that --reference selects (the dev stack's scenarios' rollups, read from no file)"
      : "the reference configuration (the dev stack's scenarios' rollups), used because no config file was found: give --config <file>, or run in the directory of your dynotally.config.ts");
  return new DynotallyError(
    'UNKNOWN_ROLLUP',
    `no rollup named '${name}' in ${where} (known: ${known.join(', ')})`,
    { details: { rollup: name, known } },
  );
}

/**
 * The `--claim-table` and `--settle` options of the commands that run a backfill.
 *
 * @example
 * ```ts
 * addBackfillTableOptions(program.command('backfill'));
 * ```
 */
export function addBackfillTableOptions(cmd: Command): Command {
  return cmd
    .option(
      '--claim-table <name>',
      `claim table shared with the stream side (default: ${DEFAULT_CLAIM_TABLE})`,
    )
    .option(
      '--settle <d>',
      'how long the stream side may take to pick up a new version, or (verify) to apply what a pass scanned (default: 30s)',
    );
}

/**
 * A `--settle` duration in ms (default 30 s).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a malformed duration, or one longer than 24 days.
 * @example
 * ```ts
 * settleMs('5s'); // 5000
 * ```
 */
export function settleMs(text: string | undefined): number {
  if (text === undefined) return 30_000;
  if (text === '0' || text === '0s') return 0;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--settle '${shownText(text)}' is not a duration: write e.g. 30s, 2m or 0s`,
    );
  }
  return checkTimerMs('--settle', text, ms);
}

/**
 * A whole-number flag within bounds.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the flag.
 * @example
 * ```ts
 * wholeFlag('--segments', '8', 1, 1_000_000); // 8
 * ```
 */
export function wholeFlag(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < min || n > max)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${flag} '${shownText(text)}' is not a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`,
      { details: { flag, value: shownDetail(text) } },
    );
  return n;
}

/**
 * `--concurrency`: the segments a process scans at once (the library's `segmentConcurrency`, of `backfill` and
 * `verify`), a whole number from 1 to 1,000, or undefined when not given (the library's default, 8).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` saying what was expected.
 * @example
 * ```ts
 * concurrencyFlag('16'); // 16
 * ```
 */
export function concurrencyFlag(text: string | undefined): number | undefined {
  return wholeFlag('--concurrency', text, 1, 1_000);
}

import type { Command } from 'commander';
import { type DeadLetterFilter, DynotallyError, MAX_FILTER_CODES } from 'dynotally';
import { shownText } from 'dynotally/local';
import { parseDuration } from 'dynotally/time';
import { collect } from './query-args.ts';

/** A dead-letter code as letters carry them: an upper-case word (`RETRIES_EXHAUSTED`). */
const CODE = /^[A-Z][A-Z0-9_]*$/;
/** A rollup name as a row key starts with it (no `#`, no blank). */
const ROLLUP = /^[^\s#]+$/;
/** ISO-8601: a date (UTC midnight), or a date-time with a zone (`Z`, `+01:00`). */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

const usage = (flag: string, message: string): DynotallyError =>
  new DynotallyError('CONFIG_INVALID', `${flag}: ${message}`, { details: { flag } });

/**
 * The filter flags `dead-letters list` and `replay --all` share (`--code`, `--rollup`, `--since`, `--until`).
 *
 * @example
 * ```ts
 * addFilterOptions(dl.command('list'));
 * ```
 */
export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option(
      '--code <code>',
      'only letters with this code (repeatable, or a comma list: --code RETRIES_EXHAUSTED,ROW_REJECTED)',
      collect,
    )
    .option(
      '--rollup <name>',
      "only letters of this rollup: a pending or delta row of it (any version), or a fold reason naming it (rollup '<name>': …)",
    )
    .option(
      '--since <time>',
      'only letters dead-lettered at or after this time: ISO-8601 (2026-12-07, 2026-12-07T10:00:00Z), epoch ms, or a duration back from now (24h, 90m, 7d)',
    )
    .option('--until <time>', 'only letters dead-lettered before this time (as --since)');
}

/**
 * A `--since` / `--until` time in epoch ms: ISO-8601 (a date is UTC midnight; a date-time needs its zone), epoch
 * milliseconds (11 digits or more), or a duration back from `now` (`24h`).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` (exit 2) for anything else.
 * @example
 * ```ts
 * letterTime('--since', '24h', Date.UTC(2026, 11, 7)); // Date.UTC(2026, 11, 6)
 * letterTime('--until', '2026-12-07T10:00:00Z', 0); // 1796637600000
 * ```
 */
export function letterTime(flag: string, text: string, now: number): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    if (t.length < 11)
      throw usage(
        flag,
        `'${shownText(text)}' is not a time: a number of ${t.length} digits is no epoch milliseconds (write 13 digits, an ISO-8601 date-time with a zone, or a duration back from now such as 24h)`,
      );
    return inDateRange(flag, text, Number(t));
  }
  if (ISO.test(t)) {
    // Date.parse rolls a day past the month's end over (2026-02-31 is March 3): the date must come back as written
    const [y, m, d] = t.slice(0, 10).split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, m - 1, d));
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && day.getUTCMonth() === m - 1 && day.getUTCDate() === d) return ms;
    throw usage(flag, `'${shownText(text)}' is not a date that exists`);
  }
  let ago: number;
  try {
    ago = parseDuration(t);
  } catch {
    throw usage(
      flag,
      `'${shownText(text)}' is not a time: write an ISO-8601 date or date-time with a zone (2026-12-07, 2026-12-07T10:00:00Z), epoch milliseconds, or a duration back from now (24h, 90m, 7d)`,
    );
  }
  return inDateRange(flag, text, now - ago);
}

/** A Date holds ±8.64e15 ms (years −271821 to 275760): past it no ISO text shows the time (toISOString throws). */
function inDateRange(flag: string, text: string, ms: number): number {
  if (Math.abs(ms) <= 8.64e15) return ms;
  throw usage(
    flag,
    `'${shownText(text)}' is not a time: it falls past what a date holds (±8640000000000000 epoch milliseconds)`,
  );
}

/**
 * The library's {@link DeadLetterFilter} from the filter flags, checked: codes upper-case words (at most 100), a
 * rollup name without `#` or blanks, times that parse and a `--since` before `--until`; every refusal a usage error
 * (`CONFIG_INVALID`, exit 2) naming its flag.
 *
 * @example
 * ```ts
 * letterFilter({ code: ['RETRIES_EXHAUSTED,ROW_REJECTED'], since: '24h' }, Date.now());
 * // { codes: ['RETRIES_EXHAUSTED', 'ROW_REJECTED'], since: … }
 * ```
 */
export function letterFilter(
  flags: {
    code?: string[] | undefined;
    rollup?: string | undefined;
    since?: string | undefined;
    until?: string | undefined;
  },
  now: number,
): DeadLetterFilter {
  const codes =
    flags.code === undefined
      ? undefined
      : [
          ...new Set(
            flags.code.flatMap((c) =>
              c
                .split(',')
                .map((x) => x.trim())
                .filter((x) => x !== ''),
            ),
          ),
        ];
  if (codes !== undefined) {
    if (codes.length === 0) throw usage('--code', 'give a code, e.g. --code RETRIES_EXHAUSTED');
    const bad = codes.filter((c) => !CODE.test(c));
    if (bad.length > 0)
      throw usage(
        '--code',
        `${shownText(bad.map((b) => `'${b}'`).join(', '))} ${bad.length === 1 ? 'is not a dead-letter code' : 'are not dead-letter codes'}: codes are upper-case words such as RETRIES_EXHAUSTED (docs/dead-letter-codes.md)`,
      );
    if (codes.length > MAX_FILTER_CODES)
      throw usage('--code', `at most ${MAX_FILTER_CODES} codes (got ${codes.length})`);
  }
  if (flags.rollup !== undefined && !ROLLUP.test(flags.rollup))
    throw usage('--rollup', `'${shownText(flags.rollup)}' is not a rollup name`);
  const since = flags.since === undefined ? undefined : letterTime('--since', flags.since, now);
  const until = flags.until === undefined ? undefined : letterTime('--until', flags.until, now);
  if (since !== undefined && until !== undefined && since >= until)
    throw usage(
      '--since',
      `${new Date(since).toISOString()} is not before --until ${new Date(until).toISOString()}: the window selects no letter`,
    );
  return {
    ...(codes === undefined ? {} : { codes }),
    ...(flags.rollup === undefined ? {} : { rollup: flags.rollup }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  };
}

/**
 * Whether any filter flag was given (they go with `replay --all` only).
 *
 * @example
 * ```ts
 * filtered({ rollup: 'jobs' }); // true
 * ```
 */
export function filtered(f: DeadLetterFilter): boolean {
  return f.codes !== undefined || f.rollup !== undefined || f.since !== undefined || f.until !== undefined;
}

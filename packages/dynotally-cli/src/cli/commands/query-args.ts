import type { Command } from 'commander';
import type { GroupValue, Instant, WindowSpec } from 'dynotally';
import { DynotallyError } from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';
import { z } from 'zod';
import { numericFlag } from '../numeric-flag.ts';

/**
 * The `key=value` pairs of one `--group` value: split at the commas that start another pair (`,key=` or
 * `,key:n=`), so a comma inside a string value stays in it (`name=Bar, Grill`, `tags=a,b`). A value that itself
 * holds `,<word>=` cannot be given (it reads as two pairs).
 *
 * @example
 * ```ts
 * splitPairs('storeId=s-1,year:n=2026'); // ['storeId=s-1', 'year:n=2026']
 * splitPairs('name=Bar, Grill'); // ['name=Bar, Grill']
 * ```
 */
export function splitPairs(flag: string): string[] {
  return flag.split(/,(?=[^=,:]+(?::[nbs])?=)/);
}

/**
 * Parses `--group` values: `key=value` (a string), `key:n=42` (a number), `key:b=true` (a boolean); several
 * pairs are given as repeated flags or comma-separated ({@link splitPairs}: a comma not followed by `key=` is part
 * of the value). Blanks before a key are dropped; a string value is taken exactly, blanks at its ends included
 * (`name=acme ` is the group `'acme '`, as `query top` and `verify` print it); a number or boolean is read trimmed.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a malformed pair, or a key given twice (one group per query).
 * @example
 * ```ts
 * parseGroup(['customerId=acme']); // { customerId: 'acme' }
 * parseGroup(['storeId=s-1,year:n=2026']); // { storeId: 's-1', year: 2026 }
 * parseGroup(['accountId:n=1234567890123456789']); // { accountId: { N: '1234567890123456789' } }
 * ```
 */
export function parseGroup(pairs: readonly string[]): Record<string, GroupValue> {
  const group: Record<string, GroupValue> = {};
  // a Map, not an object: a key such as `constructor` or `__proto__` is no inherited member here (review s40x)
  const given = new Map<string, string[]>();
  for (const pair of pairs.flatMap(splitPairs)) {
    // blanks before a key go (`a=1, b=2`); a string value is kept exactly, blanks at its end included: 'acme ' and
    // 'acme' are two groups, and top / verify print the first as `customerId=acme `
    const m = /^([^=:]+)(?::([nbs]))?=(.*)$/s.exec(pair.trimStart());
    if (m === null) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `--group '${shownText(pair)}' is not key=value (write e.g. --group customerId=acme, or key:n=42 for a number)`,
      );
    }
    const [, key = '', type = 's', raw = ''] = m;
    // one group: a key given twice would keep its last value and drop the other silently
    const seen = [...(given.get(key) ?? []), raw];
    given.set(key, seen);
    if (seen.length > 1)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `--group ${shownText(key)} is given twice (${shownText(seen.join(', '))}): a query reads one group; run it once per group (dynotally verify takes several)`,
        { details: { key: shownDetail(key), values: shownDetail(seen) } },
      );
    if (type === 'n') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new DynotallyError(
          'CONFIG_INVALID',
          `--group ${shownText(key)}:n='${shownText(raw)}' is not a number (write e.g. ${shownText(key)}:n=42)`,
        );
      }
      // the digits as given, when a JavaScript number would round them (a 19-digit id, a long decimal): the
      // library keys the text exactly
      ownPair(group, key, String(n) === raw.trim() ? n : { N: raw.trim() });
    } else if (type === 'b') {
      const word = raw.trim();
      if (word !== 'true' && word !== 'false') {
        throw new DynotallyError(
          'CONFIG_INVALID',
          `--group ${shownText(key)}:b='${shownText(raw)}' is not true or false`,
        );
      }
      ownPair(group, key, word === 'true');
    } else ownPair(group, key, raw);
  }
  return group;
}

/**
 * Sets `key` on a group as an own property, whatever its name: an assignment to `__proto__` would set no property
 * (a group's names are any strings: a declared groupBy function's names, or attributes; review s40x).
 *
 * @example
 * ```ts
 * const group: Record<string, GroupValue> = {};
 * ownPair(group, '__proto__', 'x'); // Object.keys(group): ['__proto__']
 * ```
 */
export function ownPair(group: Record<string, GroupValue>, key: string, value: GroupValue): void {
  Object.defineProperty(group, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A group value as text: a number given as its exact text (`{ N }`) by its digits, anything else as it prints.
 *
 * @example
 * ```ts
 * groupValueText({ N: '0.12345678901234567891' }); // '0.12345678901234567891'
 * groupValueText(1234567890123456789n); // '1234567890123456789'
 * ```
 */
export function groupValueText(v: GroupValue): string {
  return typeof v === 'object' ? v.N : String(v);
}

/**
 * One group value as the `--group` pair that names it again: `key=value` for a string, `key:n=…` for a number (its
 * exact digits), `key:b=…` for a boolean.
 *
 * @example
 * ```ts
 * groupPair('storeId', 's-1'); // 'storeId=s-1'
 * groupPair('year', 2026); // 'year:n=2026'
 * ```
 */
export function groupPair(key: string, v: GroupValue): string {
  return typeof v === 'string'
    ? `${key}=${v}`
    : `${key}:${typeof v === 'boolean' ? 'b' : 'n'}=${groupValueText(v)}`;
}

/**
 * A group as the `--group` value that names it again ({@link groupPair}s joined by commas, as {@link splitPairs}
 * splits them). Every command that prints a group prints it so (`query total`'s header, `query top`'s GROUP column,
 * `verify`'s drift table): joined by spaces, the text given back to `--group` was read as one string value, a group
 * that does not exist, and string values holding spaces could make two groups print alike.
 *
 * @example
 * ```ts
 * groupPairs({ storeId: 's-1', year: 2026 }); // 'storeId=s-1,year:n=2026'
 * ```
 */
export function groupPairs(group: Readonly<Record<string, GroupValue>>): string {
  return Object.entries(group)
    .map(([k, v]) => groupPair(k, v))
    .join(',');
}

/**
 * Repeatable option collector for commander.
 *
 * @example
 * ```ts
 * program.option('--group <key=value>', 'group attribute', collect); // absent: undefined (the flags schema defaults it to [])
 * ```
 */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The `--group` (repeatable) and `--measures` flags of the per-group query commands.
 *
 * @example
 * ```ts
 * addGroupOptions(program.command('total'), 'comma-separated measures (default: all)');
 * ```
 */
export function addGroupOptions(cmd: Command, measuresHelp: string): Command {
  return cmd
    .option('--group <key=value>', 'group attribute (repeatable; key:n=42 for a number)', collect)
    .option('--measures <names>', measuresHelp);
}

/**
 * The query options selecting `--measures a,b` (none: every measure).
 *
 * @example
 * ```ts
 * measuresOption('orders, views'); // { measures: ['orders', 'views'] }
 * measuresOption(undefined); // {}
 * ```
 */
export function measuresOption(flag: string | undefined): { measures?: string[] } {
  return flag === undefined ? {} : { measures: flag.split(',').map((m) => m.trim()) };
}

/** Fewest digits of an epoch-milliseconds flag: 11 digits is 1970-04-27 on; fewer is a date or epoch seconds. */
const MIN_EPOCH_MS_DIGITS = 11;

/**
 * An instant flag: whole epoch milliseconds, or ISO-8601 with a zone (the query client validates it). A digit
 * string of fewer than 11 digits is refused (`CONFIG_INVALID`): read as milliseconds it would be a moment of
 * 1970 and answer zeros, where it meant a date (`20261122`) or epoch seconds (`1795439100`).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a digit string of fewer than 11 digits.
 * @example
 * ```ts
 * toInstant('1795439100000'); // 1795439100000
 * toInstant('2026-11-22T13:05:00Z'); // '2026-11-22T13:05:00Z'
 * toInstant('1795439100'); // throws CONFIG_INVALID: epoch seconds? write 1795439100000
 * ```
 */
export function toInstant(value: string): Instant {
  const digits = /^-?(\d+)$/.exec(value)?.[1];
  if (digits === undefined) return value;
  if (digits.length < MIN_EPOCH_MS_DIGITS)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `instant '${value}' is not an ISO-8601 date-time or epoch milliseconds: a number of ${digits.length} digits would be ${new Date(Number(value)).toISOString()}. Write an ISO-8601 date-time with a zone (2026-11-22T13:05:00Z) or epoch milliseconds (13 digits today${digits.length === 10 ? `; as epoch seconds, '${value}000'` : ''})`,
      { details: { value } },
    );
  return Number(value);
}

/**
 * The window flags shared by `query total` and `query series`.
 *
 * @example
 * ```ts
 * addWindowOptions(program.command('total').argument('<rollup>'));
 * ```
 */
export function addWindowOptions(cmd: Command): Command {
  return cmd
    .option('--last <duration>', "rolling window ending now (or --at): '15m', '24h', '7d'")
    .option('--from <instant>', 'explicit window start (ISO-8601 with zone, or epoch ms); with --to')
    .option('--to <instant>', 'explicit window end, exclusive')
    .option(
      '--round <how>',
      'explicit edges not on a bucket boundary: exact (default), outward, inward, nearest',
    )
    .option('--calendar <unit>', 'this day, week, month or year of the rollup time zone (see --offset)')
    .option('--offset <n>', 'with --calendar: periods before (-1) or after (1) the current one (default 0)')
    .option('--last-days <n>', 'today and the N-1 days before')
    .option('--last-weeks <n>', 'this ISO week and the N-1 before')
    .option('--last-months <n>', 'this month and the N-1 before')
    .option('--last-years <n>', 'this year and the N-1 before')
    .option('--all', 'all time (needs the all granularity)')
    .option('--at <instant>', 'the instant that counts as now (not with --from/--to or --all)');
}

const periods = numericFlag('expected a whole number of periods').pipe(
  z
    .number()
    .int('expected a whole number of periods')
    .min(1, 'expected a whole number of periods, at least 1 (1 is the current period alone)')
    .max(100_000, 'expected at most 100,000 periods'),
);

/**
 * zod schema of the window flags.
 *
 * @example
 * ```ts
 * windowFromFlags(windowFlagsSchema.parse({ lastDays: '30' })); // { lastDays: 30 }
 * ```
 */
export const windowFlagsSchema = z.object({
  last: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  round: z.enum(['exact', 'outward', 'inward', 'nearest']).optional(),
  calendar: z.enum(['day', 'week', 'month', 'year']).optional(),
  offset: numericFlag('expected a whole number such as -1')
    .pipe(z.number().int('expected a whole number such as -1'))
    .optional(),
  lastDays: periods.optional(),
  lastWeeks: periods.optional(),
  lastMonths: periods.optional(),
  lastYears: periods.optional(),
  all: z.boolean().optional(),
  at: z.string().optional(),
});

/**
 * The one window the flags describe.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when none or several windows are given, or a flag its window does not
 *   take (`--round` without `--from`, `--offset` without `--calendar`, `--at` with `--from`/`--to` or `--all`):
 *   ignored, it would answer another window than the one asked for.
 * @example
 * ```ts
 * windowFromFlags({ last: '24h' }); // { last: '24h' }
 * ```
 */
export function windowFromFlags(f: z.output<typeof windowFlagsSchema>): WindowSpec {
  const at = f.at === undefined ? {} : { at: toInstant(f.at) };
  const given: WindowSpec[] = [];
  if (f.last !== undefined) given.push({ last: f.last, ...at });
  if (f.from !== undefined || f.to !== undefined) {
    if (f.from === undefined || f.to === undefined) {
      throw new DynotallyError('CONFIG_INVALID', 'an explicit window needs both --from and --to');
    }
    given.push({ from: toInstant(f.from), to: toInstant(f.to), ...(f.round ? { round: f.round } : {}) });
  }
  if (f.round !== undefined && f.from === undefined)
    throw new DynotallyError(
      'CONFIG_INVALID',
      '--round rounds the edges of --from/--to; other windows are made of whole buckets already (--last is rounded to the finest granularity kept)',
    );
  if (f.offset !== undefined && f.calendar === undefined)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--offset ${f.offset} moves a --calendar period; other windows do not take it (--last-days 7 is today and the 6 days before: for an earlier span give --from/--to, or --at)`,
    );
  if (f.at !== undefined && (f.from !== undefined || f.to !== undefined))
    throw new DynotallyError(
      'CONFIG_INVALID',
      '--at sets "now" for --last, --calendar and --last-days/-weeks/-months/-years; an explicit --from/--to window does not depend on it: leave --at out',
    );
  if (f.at !== undefined && f.all)
    throw new DynotallyError(
      'CONFIG_INVALID',
      '--at sets "now" for --last, --calendar and --last-days/-weeks/-months/-years; --all is the all-time bucket, which holds every instant, before and after --at: leave --at out, or give the window up to it as --from <start> --to <instant>',
    );
  if (f.calendar !== undefined) given.push({ calendar: f.calendar, offset: f.offset ?? 0, ...at });
  if (f.lastDays !== undefined) given.push({ lastDays: f.lastDays, ...at });
  if (f.lastWeeks !== undefined) given.push({ lastWeeks: f.lastWeeks, ...at });
  if (f.lastMonths !== undefined) given.push({ lastMonths: f.lastMonths, ...at });
  if (f.lastYears !== undefined) given.push({ lastYears: f.lastYears, ...at });
  if (f.all) given.push('all');
  if (given.length !== 1) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${given.length === 0 ? 'no window given' : 'several windows given'} (give exactly one of --last, --from/--to, --calendar, --last-days, --last-weeks, --last-months, --last-years, --all)`,
    );
  }
  return given[0] as WindowSpec;
}

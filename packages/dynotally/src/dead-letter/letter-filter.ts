import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import type { StoredDeadLetter } from './letter-item.ts';
import { DROPPED_ATTR } from './tombstone.ts';

/**
 * Which dead letters to read: every field narrows the selection, absent fields select everything.
 *
 * @example
 * ```ts
 * const filter: DeadLetterFilter = { replayed: false, codes: ['RETRIES_EXHAUSTED'], since: Date.now() - 86_400_000 };
 * ```
 */
export interface DeadLetterFilter {
  /** `false`: only letters still to replay; `true`: only replayed ones; absent: all. */
  readonly replayed?: boolean | undefined;
  /** Only letters with one of these codes (the code they were dead-lettered with; at most 100). */
  readonly codes?: readonly string[] | undefined;
  /**
   * Only letters of this rollup: a pending row or a delta row of it (any version: `name#…`, `name.v2#…`), or a reason
   * the fold gave for it (`rollup 'name': …`). A letter that names no rows and whose reason names no rollup (a record
   * every row of which is pending, refused for a reason of its own; a letter whose body is unreadable, a part gone)
   * matches no rollup: a replay with this filter skips it without a result.
   */
  readonly rollup?: string | undefined;
  /** Only letters dead-lettered at or after this instant (epoch ms; the letter's `at`). */
  readonly since?: number | undefined;
  /** Only letters dead-lettered before this instant (epoch ms, exclusive). */
  readonly until?: number | undefined;
}

/** The largest instant a `Date` holds (epoch ms), and so a filter's `since` / `until`. */
const MAX_INSTANT_MS = 8.64e15;

/** The most codes a filter takes: DynamoDB's `IN` takes 100 operands. */
export const MAX_FILTER_CODES = 100;

/**
 * Refuses a filter DynamoDB cannot evaluate or that can select nothing by mistake (`CONFIG_INVALID`).
 *
 * @example
 * ```ts
 * checkFilter({ since: 2, until: 1 }); // throws CONFIG_INVALID
 * ```
 */
export function checkFilter(f: DeadLetterFilter): void {
  const bad = (message: string, details: Record<string, unknown>): never => {
    throw new DynotallyError('CONFIG_INVALID', message, { details });
  };
  if (f.codes !== undefined) {
    if (f.codes.length === 0) bad('codes is empty: leave it out to select every code', {});
    if (f.codes.length > MAX_FILTER_CODES)
      bad(`at most ${MAX_FILTER_CODES} codes can be given (got ${f.codes.length})`, {
        codes: f.codes.length,
      });
    const empty = f.codes.filter((c) => typeof c !== 'string' || c === '');
    if (empty.length > 0) bad('a code is empty', {});
  }
  if (f.rollup !== undefined && (typeof f.rollup !== 'string' || f.rollup === ''))
    bad('rollup is empty: leave it out to select every rollup', {});
  // a Date holds ±8.64e15 ms: past it no letter's time compares and the message below could not show it
  for (const [name, v] of [
    ['since', f.since],
    ['until', f.until],
  ] as const)
    if (v !== undefined && !(typeof v === 'number' && Math.abs(v) <= MAX_INSTANT_MS))
      bad(`${name} must be an instant in epoch milliseconds, within ±8.64e15 (got ${v})`, { [name]: v });
  if (f.since !== undefined && f.until !== undefined && f.since >= f.until)
    bad(
      `since (${new Date(f.since).toISOString()}) is not before until (${new Date(f.until).toISOString()}): the window selects nothing`,
      { since: f.since, until: f.until },
    );
}

/**
 * The scan filter of a letter selection: main items only (no part, no tombstone), and the filter's replayed state,
 * codes and window on `at`, evaluated by DynamoDB (the rollup is not: it is in the compressed body).
 *
 * @example
 * ```ts
 * new ScanCommand({ TableName, ...scanFilter({ codes: ['ROW_REJECTED'] }) });
 * ```
 */
export function scanFilter(f: DeadLetterFilter): {
  FilterExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  const terms = ['attribute_not_exists(partOf)', 'attribute_not_exists(#d)'];
  const names: Record<string, string> = { '#d': DROPPED_ATTR };
  const values: Record<string, AttributeValue> = {};
  if (f.replayed !== undefined) {
    names['#ra'] = 'replayedAt';
    terms.push(f.replayed ? 'attribute_exists(#ra)' : 'attribute_not_exists(#ra)');
  }
  if (f.codes !== undefined && f.codes.length > 0) {
    names['#code'] = 'code';
    const keys = f.codes.map((c, i) => {
      values[`:c${i}`] = { S: c };
      return `:c${i}`;
    });
    terms.push(`#code IN (${keys.join(', ')})`);
  }
  if (f.since !== undefined || f.until !== undefined) names['#at'] = 'at';
  if (f.since !== undefined) {
    values[':since'] = { N: String(Math.ceil(f.since)) };
    terms.push('#at >= :since');
  }
  if (f.until !== undefined) {
    values[':until'] = { N: String(Math.ceil(f.until)) };
    terms.push('#at < :until');
  }
  return {
    FilterExpression: terms.join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a letter is one of rollup `name`'s ({@link DeadLetterFilter.rollup}).
 *
 * @example
 * ```ts
 * letterOfRollup(letter, 'jobs'); // true for pending rows 'jobs#acme' or 'jobs.v2#acme'
 * ```
 */
export function letterOfRollup(letter: StoredDeadLetter, name: string): boolean {
  const row = new RegExp(`^${escapeRegExp(name)}(\\.v\\d+)?#`);
  if ((letter.pendingRows ?? []).some((r) => row.test(r.pk))) return true;
  if ((letter.deltas ?? []).some((r) => row.test(r.pk))) return true;
  return letter.reason.includes(`rollup '${name}'`);
}

import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const EXAMPLES = "'90s', '15m', '24h', '7d', '30d' or '2w'";

/**
 * Parses a fixed-length duration `<positive integer><unit>` with unit `s`, `m` (minutes), `h`, `d` (24 h)
 * or `w` (7 d) into milliseconds. Calendar months and years are not durations: use a `month` or `year`
 * granularity instead.
 *
 * @throws {DynotallyError} `DURATION_INVALID` for anything else.
 * @example
 * ```ts
 * parseDuration('24h'); // 86_400_000
 * parseDuration('7d'); // 604_800_000
 * ```
 */
export function parseDuration(s: string): number {
  const match = typeof s === 'string' ? /^([0-9]+)([a-zA-Z]+)$/.exec(s) : null;
  const unit = match?.[2];
  const unitMs = unit === undefined ? undefined : UNIT_MS[unit];
  if (match !== null && unitMs !== undefined) {
    const n = Number(match[1]);
    const ms = n * unitMs;
    if (n > 0 && Number.isSafeInteger(ms)) return ms;
    throw new DynotallyError(
      'DURATION_INVALID',
      `duration ${shownValue(s)} is not valid: the amount must be a positive whole number small enough to fit in milliseconds; write e.g. ${EXAMPLES}`,
      { details: { input: shownDetail(s) } },
    );
  }
  const calendar = unit !== undefined && /^(mo|mon|month|months|y|yr|year|years|M|Y)$/.test(unit);
  const hint = calendar
    ? ' Months and years are calendar units, not durations: use the month or year granularity (e.g. "this month", "last 3 months") instead.'
    : '';
  throw new DynotallyError(
    'DURATION_INVALID',
    `duration ${shownValue(s)} is not valid: write a positive whole number and one of the units s, m, h, d, w, e.g. ${EXAMPLES}.${hint}`,
    { details: { input: shownDetail(s), units: Object.keys(UNIT_MS) } },
  );
}

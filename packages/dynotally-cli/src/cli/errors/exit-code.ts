import type { ErrorCode } from 'dynotally';

/** Codes that mean "you asked for something wrong": usage and configuration errors, exit code 2. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONFIG_INVALID',
  'REGION_MISSING',
  'DEFINITION_INVALID',
  'UNKNOWN_TIME_ZONE',
  'GRANULARITY_INVALID',
  'MEASURE_INVALID',
  'DURATION_INVALID',
  'QUERY_INVALID',
  'UNKNOWN_ROLLUP',
  'UNKNOWN_MEASURE',
  'GROUP_INVALID',
  'WINDOW_NOT_SERVABLE',
  'LEADERBOARD_NOT_CONFIGURED',
]);

/**
 * The process exit code for an error code: 2 for usage and configuration errors (fix the command or the
 * config), 1 for runtime errors (something failed while doing the work).
 *
 * @example
 * ```ts
 * exitCodeFor('CONFIG_INVALID'); // 2
 * exitCodeFor('APPLY_FAILED'); // 1
 * ```
 */
export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return USAGE_CODES.has(code) ? 2 : 1;
}

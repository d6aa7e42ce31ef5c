import type { Logger } from 'dynotally';
import type { RepeatedLines } from './repeated-lines.ts';

/**
 * A logger for the dev stack's worker: warnings and errors become one short line each (`log`), the rest
 * is dropped, and every line is counted; `mute()` silences it. With `lines`, a warning that repeats (same message,
 * same kind of error) is said once, then at most once a minute with a count ({@link RepeatedLines}).
 *
 * @example
 * ```ts
 * const logger = quietLogger((line) => process.stderr.write(`${line}\n`));
 * ```
 */
export function quietLogger(
  log: (line: string) => void,
  lines?: RepeatedLines,
): Logger & { readonly problems: number; mute(): void } {
  let problems = 0;
  let muted = false;
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    problems += 1;
    if (muted) return;
    const error = fields?.error as { code?: string; message?: string } | undefined;
    const detail =
      error === undefined ? '' : `: ${error.code ? `[${error.code}] ` : ''}${error.message ?? String(error)}`;
    const text = `worker ${level}: ${message}${detail}`;
    // with `lines`, a warning that repeats (every poll while a DynamoDB given with --endpoint is down) once a minute
    if (lines === undefined) log(text);
    else lines.failed(`worker ${level}: ${message}`, error, text);
  };
  return {
    debug: () => {},
    info: () => {},
    warn: line('warning'),
    error: line('error'),
    get problems() {
      return problems;
    },
    /** Drops every later line (still counted): on Ctrl-C the terminal also interrupts DynamoDB Local, so
     * the worker's last checkpoint and lease release fail against an in-memory table that is going away. */
    mute() {
      muted = true;
    },
  };
}

import type { Logger } from 'dynotally';

/**
 * A logger for the dev stack's worker: warnings and errors become one short line each (`log`), the rest
 * is dropped, and every line is counted; `mute()` silences it.
 *
 * @example
 * ```ts
 * const logger = quietLogger((line) => process.stderr.write(`${line}\n`));
 * ```
 */
export function quietLogger(
  log: (line: string) => void,
): Logger & { readonly problems: number; mute(): void } {
  let problems = 0;
  let muted = false;
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    problems += 1;
    if (muted) return;
    const error = fields?.error as { code?: string; message?: string } | undefined;
    const detail =
      error === undefined ? '' : `: ${error.code ? `[${error.code}] ` : ''}${error.message ?? String(error)}`;
    log(`worker ${level}: ${message}${detail}`);
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

import type { Logger } from 'dynotally';
import type { RepeatedLines } from './repeated-lines.ts';

/**
 * A logger for a part of the dev stack (`worker`, the `S4 buffer`): warnings and errors become one short line each
 * (`<part> warning: …`), the rest is dropped, and every line is counted; `mute()` silences it. With `lines`, a
 * warning or error carrying an `error` is a failure of the part (one streak per message and kind of error), said
 * once, then at most once a minute with a count, and once when the caller says the part works again
 * (`recovered`); one without an `error` (a notice: records dead-lettered, a lease handed over) is rate-limited per
 * message alone, with no recovery line ({@link RepeatedLines}).
 *
 * @example
 * ```ts
 * const logger = quietLogger((line) => process.stderr.write(`${line}\n`), repeatedLines(console.error));
 * logger.recovered('reads and writes go through'); // 'worker: reads and writes go through again after 3 failed attempts since …'
 * ```
 */
export function quietLogger(
  log: (line: string) => void,
  lines?: RepeatedLines,
  part = 'worker',
): Logger & { readonly problems: number; mute(): void; recovered(what: string): void } {
  let problems = 0;
  let muted = false;
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    problems += 1;
    if (muted) return;
    const error = fields?.error as { code?: string; message?: string } | undefined;
    const detail =
      error === undefined ? '' : `: ${error.code ? `[${error.code}] ` : ''}${error.message ?? String(error)}`;
    const text = `${part} ${level}: ${message}${detail}`;
    // with `lines`, a line that repeats (every poll while a DynamoDB given with --endpoint is down) once a minute
    if (lines === undefined) log(text);
    else if (error === undefined) lines.failed(`${part} ${level}: ${message}`, error, text);
    else lines.failed(part, error, text, `${level}: ${message}`);
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
    /** The part works again (`what`: `reads and writes go through`): ends its failures' streaks, saying so once. */
    recovered(what) {
      if (!muted) lines?.succeeded(part, what);
    },
  };
}

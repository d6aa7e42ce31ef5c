import type { Logger } from '../logging/index.ts';

/**
 * A logger for the dev stack's worker: warnings and errors become one short line each (`log`), the rest
 * is dropped, and every line is counted.
 *
 * @example
 * ```ts
 * const logger = quietLogger((line) => process.stderr.write(`${line}\n`));
 * ```
 */
export function quietLogger(log: (line: string) => void): Logger & { readonly problems: number } {
  let problems = 0;
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    problems += 1;
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
  };
}

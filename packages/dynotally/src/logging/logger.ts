/**
 * The logger dynotally writes to: bring your own (Powertools Logger, pino, console) or use {@link jsonLogger}.
 *
 * @example
 * ```ts
 * const logger: Logger = { info: console.log, warn: console.warn, error: console.error };
 * ```
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
/** A log level name. */
export type LogLevel = keyof typeof LEVELS;

/**
 * A structured logger writing one JSON object per line to stdout/stderr (what CloudWatch indexes), at
 * `level` or above (default: the `DYNOTALLY_LOG_LEVEL` environment variable, else `info`).
 *
 * @example
 * ```ts
 * const logger = jsonLogger('warn');
 * logger.warn('batch retried', { shardId });
 * ```
 */
export function jsonLogger(
  level: LogLevel = (process.env.DYNOTALLY_LOG_LEVEL as LogLevel | undefined) ?? 'info',
): Logger {
  const min = LEVELS[level] ?? LEVELS.info;
  const write = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    const line = JSON.stringify(
      { level: lvl, message, time: new Date().toISOString(), ...fields },
      errorReplacer,
    );
    (lvl === 'error' || lvl === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** JSON.stringify replacer that keeps an Error's name, code, message and cause. */
export function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const e = value as Error & { code?: string; details?: unknown };
    return { name: e.name, code: e.code, message: e.message, details: e.details, cause: e.cause };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

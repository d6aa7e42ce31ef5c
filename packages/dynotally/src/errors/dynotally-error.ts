import type { ErrorCode } from './codes.ts';

/** Options for {@link DynotallyError}. */
export interface DynotallyErrorOptions {
  /** Structured, typed facts about the failure (names, values, limits). */
  details?: Record<string, unknown>;
  /** The underlying error, kept for `--verbose` and logs. */
  cause?: unknown;
}

/**
 * The one error class dynotally throws. `code` is stable; `message` says what to do.
 *
 * @example
 * ```ts
 * throw new DynotallyError('DURATION_INVALID', "duration '7x' is not valid: write e.g. '15m', '24h', '7d'", {
 *   details: { input: '7x' },
 * });
 * ```
 */
export class DynotallyError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DynotallyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DynotallyError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** `[CODE] message`, the one-line form the CLI prints. */
  override toString(): string {
    return `[${this.code}] ${this.message}`;
  }
}

/**
 * True when `e` is a {@link DynotallyError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isDynotallyError(err, 'UNKNOWN_ROLLUP')) console.log(err.details);
 * ```
 */
export function isDynotallyError(e: unknown, code?: ErrorCode): e is DynotallyError {
  return e instanceof DynotallyError && (code === undefined || e.code === code);
}

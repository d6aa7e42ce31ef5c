import { ERROR_CODES, type ErrorCode } from './codes.ts';

/**
 * The brand every {@link DynotallyError} carries, from a registered symbol (`Symbol.for`), so it is the same
 * key in every copy of dynotally a process holds: a CLI and a config resolving different installs, a bundled
 * Lambda beside a layer, CommonJS and ES module copies. A class is one per copy; the brand is one per process.
 */
const BRAND: unique symbol = Symbol.for('dynotally.error') as never;

/** The prototype chain check `instanceof` does without a `Symbol.hasInstance` of its own. */
const ownInstanceOf: (ctor: unknown, value: unknown) => boolean = (ctor, value) =>
  Function.prototype[Symbol.hasInstance].call(ctor, value);

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
 * `instanceof DynotallyError` and {@link isDynotallyError} also recognise an error thrown by another copy of
 * dynotally in the same process (another install, a bundle, the CommonJS build of a dependency) by its brand,
 * a property under `Symbol.for('dynotally.error')`, as long as its code is one this copy knows.
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

  /**
   * `value instanceof DynotallyError`: true for an instance of this class (or a subclass), and for a
   * branded error of another copy of dynotally whose code this copy knows.
   *
   * @example
   * ```ts
   * // `copy` is another copy of dynotally in this process: a layer's, a config's, a CommonJS build
   * const err = new copy.DynotallyError('LEASE_LOST', 'another worker took the shard');
   * err instanceof DynotallyError; // true: branded, and LEASE_LOST is a code this copy knows
   * ```
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof`: a subclass inherits this method and keeps the plain
    // prototype check, since another copy's error is at most a DynotallyError
    // biome-ignore lint/complexity/noThisInStatic: the subclass case needs the receiver
    return ownInstanceOf(this, value) || (this === DynotallyError && isForeignDynotallyError(value));
  }

  /** `[CODE] message`, the one-line form the CLI prints. */
  override toString(): string {
    return `[${this.code}] ${this.message}`;
  }
}

// On the prototype, so it shows in no log of an instance and costs nothing per error; another copy's prototype
// carries the same key.
Object.defineProperty(DynotallyError.prototype, BRAND, { value: true });

/** A branded error of another copy of dynotally, with a code this copy knows and the fields it reads. */
function isForeignDynotallyError(value: unknown): value is DynotallyError {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as { [BRAND]?: unknown; code?: unknown; message?: unknown; details?: unknown };
  return (
    e[BRAND] === true &&
    typeof e.code === 'string' &&
    Object.hasOwn(ERROR_CODES, e.code) &&
    typeof e.message === 'string' &&
    typeof e.details === 'object' &&
    e.details !== null
  );
}

/**
 * True when `e` is a {@link DynotallyError}, optionally with the given code. It recognises an error thrown by
 * another copy of dynotally in the same process too (by its `Symbol.for('dynotally.error')` brand, when its
 * code is one this copy knows), where `instanceof` on the class alone would not: use it wherever an error may
 * come from code that loads its own dynotally (a config file, a layer, a plugin).
 *
 * @example
 * ```ts
 * import { isDynotallyError, parseDuration } from 'dynotally';
 *
 * try {
 *   parseDuration('7x');
 * } catch (err) {
 *   if (isDynotallyError(err, 'DURATION_INVALID')) console.log(err.details.input); // '7x'
 *   else throw err;
 * }
 * ```
 */
export function isDynotallyError(e: unknown, code?: ErrorCode): e is DynotallyError {
  return (
    (ownInstanceOf(DynotallyError, e) || isForeignDynotallyError(e)) &&
    (code === undefined || (e as DynotallyError).code === code)
  );
}

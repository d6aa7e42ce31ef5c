import { DynotallyError } from '../errors/index.ts';

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * True for failures worth retrying: throttling, transaction conflicts, 5xx, timeouts and dropped connections.
 *
 * @example
 * ```ts
 * isRetryable(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })); // true
 * ```
 */
export function isRetryable(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const err = e as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (err.name !== undefined && RETRYABLE.has(err.name)) return true;
  if (err.code !== undefined && NETWORK.has(err.code)) return true;
  if (err.$retryable !== undefined) return true;
  const status = err.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** Bounded retry settings. */
export interface RetryOptions {
  /** Attempts in all, including the first (default 6). */
  maxAttempts?: number;
  /** Base delay in ms for exponential backoff with full jitter (default 25). */
  baseDelayMs?: number;
  /** Largest delay in ms (default 2000). */
  maxDelayMs?: number;
  /** Called before each retry (for reports and logs). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `fn`, retrying retryable failures with exponential backoff and full jitter, a bounded number of
 * times; then throws APPLY_FAILED with the last error as `cause`. Non-retryable errors pass through. Attempts
 * the SDK client made itself (its default retry strategy; `$metadata.attempts`) count toward the same bound, so
 * the two never multiply; give the applier's client `maxAttempts: 1` to leave every retry to dynotally.
 *
 * @example
 * ```ts
 * await withRetry(() => client.send(new UpdateItemCommand(input)), { maxAttempts: 5 });
 * ```
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const max = options.maxAttempts ?? 6;
  const base = options.baseDelayMs ?? 25;
  const cap = options.maxDelayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRetryable(e)) throw e;
      // attempts the SDK client already made (its own retries) count toward this budget: they do not multiply
      attempt += sdkRetries(e);
      if (attempt >= max) {
        throw new DynotallyError(
          'APPLY_FAILED',
          `a write still failed after ${max} attempts (${(e as Error).name}): the batch will be retried`,
          {
            details: { attempts: max, error: (e as Error).name },
            cause: e,
          },
        );
      }
      options.onRetry?.(e, attempt);
      const delay = Math.random() * Math.min(cap, base * 2 ** attempt);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * The wait before round `round` of a batch's unanswered part (statements or keys sent again): exponential with
 * full jitter, as {@link withRetry} waits between attempts, 25 ms × 2^round at most, never more than 2 s.
 *
 * @example
 * ```ts
 * for (let round = 0; pending.length > 0; round++) {
 *   if (round > 0) await roundBackoff(round);
 *   pending = await sendAgain(pending);
 * }
 * ```
 */
export function roundBackoff(round: number): Promise<void> {
  const delay = Math.random() * Math.min(2000, 25 * 2 ** round);
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/** Retries the SDK made inside one call (`$metadata.attempts` − 1), so dynotally's own budget is not multiplied. */
function sdkRetries(e: unknown): number {
  const attempts = (e as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 1 ? attempts - 1 : 0;
}

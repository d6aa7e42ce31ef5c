import { DynotallyError } from '../errors/index.ts';
import { sleep } from '../worker/sleep.ts';

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
  /**
   * Ends the retries: the wait between two attempts ends when it aborts, and no attempt starts after, so the
   * call rejects with `signal.reason` (an attempt already sent is not cut short: `fn` bounds it).
   */
  signal?: AbortSignal;
}

/**
 * Runs `fn`, retrying retryable failures with exponential backoff and full jitter, a bounded number of
 * times; then throws APPLY_FAILED (a read's or a write's: the message names the error, and the network code
 * of a connection that failed) with the last error as `cause`. Non-retryable errors pass through. Attempts
 * the SDK client made itself (its default retry strategy; `$metadata.attempts`) count toward the same bound, so
 * the two never multiply; give the applier's client `maxAttempts: 1` to leave every retry to dynotally. With
 * `signal`, an abort ends the backoff at once and the call rejects with the signal's reason.
 *
 * @example
 * ```ts
 * await withRetry(() => client.send(new UpdateItemCommand(input)), { maxAttempts: 5 });
 * await withRetry(() => client.send(new DescribeTableCommand(input)), { signal: stop.signal }); // ends on stop
 * ```
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const max = options.maxAttempts ?? 6;
  const base = options.baseDelayMs ?? 25;
  const cap = options.maxDelayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (e) {
      if (!isRetryable(e)) throw e;
      // attempts the SDK client already made (its own retries) count toward this budget: they do not multiply
      attempt += sdkRetries(e);
      if (attempt >= max) {
        throw exhausted(e, max);
      }
      options.onRetry?.(e, attempt);
      await sleep(Math.random() * Math.min(cap, base * 2 ** attempt), options.signal);
    }
  }
}

/**
 * APPLY_FAILED for a call whose attempts are spent. The same helper retries reads (a query's control item, dead
 * letters, leases) and writes, so the message names the call and the error (with its network code: a refused
 * connection is `Error ECONNREFUSED`), not "a write"; a stream batch that hit it is retried by its runtime.
 */
function exhausted(e: unknown, max: number): DynotallyError {
  const name = (e as Error).name;
  const network = (e as { code?: unknown }).code;
  const label = typeof network === 'string' && NETWORK.has(network) ? `${name} ${network}` : name;
  const what =
    label === name
      ? 'DynamoDB kept refusing or failing it: retry later (a stream batch is retried)'
      : 'the connection to the endpoint failed: check that DynamoDB is running there and that the client points at it';
  return new DynotallyError(
    'APPLY_FAILED',
    `a DynamoDB call still failed after ${max} attempts (${label}): ${what}`,
    {
      details: { attempts: max, error: name, ...(label === name ? {} : { network }) },
      cause: e,
    },
  );
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

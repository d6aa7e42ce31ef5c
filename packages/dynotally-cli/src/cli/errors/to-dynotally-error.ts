import { DynotallyError, isDynotallyError } from 'dynotally';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** Codes of the library's errors that wrap a DynamoDB call whose retries were spent (the call's error is a cause). */
const WRAPS_DYNAMODB_CALLS: ReadonlySet<string> = new Set(['APPLY_FAILED', 'WORKER_ERROR']);

/**
 * What the CLI knows when it turns an error into a coded one.
 *
 * @example
 * ```ts
 * toDynotallyError(err, { endpoint: 'http://127.0.0.1:8000' });
 * ```
 */
export interface ErrorContext {
  /** The DynamoDB endpoint in use, if any (for "cannot reach …" messages). */
  endpoint?: string | undefined;
}

/**
 * Any error as a {@link DynotallyError} with a stable code and a message that says what to do: AWS SDK
 * errors (missing table, no credentials, unreachable endpoint) get their own codes, and so does a refused
 * connection underneath the library's APPLY_FAILED (retries spent) or WORKER_ERROR; the original is kept as `cause`
 * for `--verbose`.
 *
 * @example
 * ```ts
 * const e = toDynotallyError(Object.assign(new Error('Cannot do operations on a non-existent table'), { name: 'ResourceNotFoundException' }));
 * e.code; // 'TABLE_NOT_FOUND'
 * ```
 */
export function toDynotallyError(error: unknown, context: ErrorContext = {}): DynotallyError {
  // by brand, not by class: a config file may throw the DynotallyError of its own copy of dynotally
  if (isDynotallyError(error)) {
    // the library's retries (withRetry: APPLY_FAILED, the worker's start: WORKER_ERROR) wrap a refused
    // connection; what the user must fix is the endpoint, so look underneath those (never under REDIS_UNAVAILABLE:
    // its network error is Redis's)
    if (!WRAPS_DYNAMODB_CALLS.has(error.code)) return error;
    return unreachable(error, context) ?? error;
  }
  const e = error as { name?: string; message?: string; code?: string; $metadata?: unknown } | undefined;
  const name = e?.name ?? '';
  const message = firstLine(e?.message ?? String(error));
  const network = unreachable(error, context);
  if (network !== undefined) return network;
  if (e?.$metadata === undefined && /^Region is missing/.test(message)) {
    return new DynotallyError(
      'REGION_MISSING',
      "no AWS region is set: set AWS_REGION (or --region, or a region in your AWS profile), or use DynamoDB Local with --endpoint http://127.0.0.1:8000 ('dynotally local' starts one)",
      { cause: error },
    );
  }
  if (e?.$metadata === undefined && /^Region not accepted|^Invalid region/.test(message)) {
    return new DynotallyError(
      'CONFIG_INVALID',
      `${message}: give a region name such as eu-west-1 with --region / AWS_REGION`,
      { cause: error },
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new DynotallyError(
      'TABLE_NOT_FOUND',
      `${message}: create the tables with 'dynotally tables create', or name the right ones with --table / DYNOTALLY_TABLE`,
      { cause: error },
    );
  }
  if (
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    name === 'ProviderError' ||
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'ExpiredTokenException'
  ) {
    return new DynotallyError(
      'AWS_REQUEST_FAILED',
      `AWS credentials are missing or invalid (${message}): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --endpoint for DynamoDB Local`,
      { cause: error },
    );
  }
  if (e?.$metadata !== undefined) {
    return new DynotallyError(
      'AWS_REQUEST_FAILED',
      `${name}: ${message} (run again with --verbose for the request details)`,
      {
        cause: error,
      },
    );
  }
  return new DynotallyError(
    'INTERNAL_ERROR',
    `${name || 'Error'}: ${message} (this is a bug: run again with --verbose and report the output)`,
    { cause: error },
  );
}

/** ENDPOINT_UNREACHABLE when a network error (ECONNREFUSED, …) is anywhere in `error`, with what to check. */
function unreachable(error: unknown, context: ErrorContext): DynotallyError | undefined {
  const code = networkCode(error);
  if (code === undefined) return undefined;
  const where = context.endpoint ?? 'the AWS endpoint';
  const details = { endpoint: context.endpoint, network: code };
  if (code === 'ETIMEDOUT') {
    return new DynotallyError(
      'ENDPOINT_UNREACHABLE',
      `DynamoDB at ${where} did not answer in time (ETIMEDOUT): check that it is running and that --endpoint / DYNOTALLY_ENDPOINT points at DynamoDB (not another service on that port), check proxies and firewalls, or allow longer with --timeout`,
      { cause: error, details },
    );
  }
  return new DynotallyError(
    'ENDPOINT_UNREACHABLE',
    `cannot reach DynamoDB at ${where} (${code}): start it (e.g. 'dynotally dev' runs DynamoDB Local) or fix --endpoint / DYNOTALLY_ENDPOINT`,
    { cause: error, details },
  );
}

/** The first network error code (ECONNREFUSED, …) anywhere in the error, its causes or aggregated errors. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (error === null || typeof error !== 'object' || depth > 6) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = networkCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return networkCode(e.cause, depth + 1);
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s;
}

import type { Context } from 'aws-lambda';

/**
 * A Lambda-like `Context` for running Lambda code outside Lambda: `getRemainingTimeInMillis()`
 * counts down from `timeoutMs` (Powertools idempotency uses it for the in-progress expiry).
 *
 * @example
 * ```ts
 * await processPartialResponse(event, handler, processor, { context: lambdaContext('bench', 300_000) });
 * ```
 */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

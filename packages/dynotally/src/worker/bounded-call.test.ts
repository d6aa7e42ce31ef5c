// boundedCall ends a request that does not answer within its bound with a TimeoutError (which withRetry retries),
// whatever error the client makes of the abort, and passes answers and other failures through.
import { describe, expect, it } from 'vitest';
import { isRetryable } from '../apply/index.ts';
import { boundedCall, coordinationTimeoutMs } from './bounded-call.ts';

/** A call that settles only when its signal aborts, with an AbortError as the SDK's HTTP handler does. */
const hung = (signal: AbortSignal | undefined) =>
  new Promise<never>((_, reject) => {
    signal?.addEventListener('abort', () =>
      reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
    );
  });

describe('boundedCall', () => {
  it('ends a call unanswered within its bound with a retryable TimeoutError naming it', async () => {
    const error = await boundedCall(20, 'UpdateItem', hung).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toBe('UpdateItem did not answer within 20 ms');
    expect(isRetryable(error)).toBe(true);
  });

  it('passes an answer and a failure within the bound through', async () => {
    expect(await boundedCall(1_000, 'GetItem', async () => 42)).toBe(42);
    const refused = Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
    await expect(boundedCall(1_000, 'PutItem', () => Promise.reject(refused))).rejects.toBe(refused);
  });

  it('gives no signal without a bound', async () => {
    let given: AbortSignal | undefined | null = null;
    await boundedCall(Number.POSITIVE_INFINITY, 'Scan', async (s) => {
      given = s;
    });
    expect(given).toBeUndefined();
  });

  it("ends a call when `stop` aborts, with the stop's reason (not retried), and sends none once it has", async () => {
    const stop = new AbortController();
    const pending = boundedCall(60_000, 'Scan', hung, stop.signal).catch((e: unknown) => e);
    stop.abort();
    const error = await pending;
    expect((error as Error).name).toBe('AbortError');
    expect(isRetryable(error)).toBe(false);
    let sent = false;
    await expect(
      boundedCall(
        60_000,
        'Scan',
        async () => {
          sent = true;
        },
        stop.signal,
      ),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent).toBe(false);
  });

  it('bounds a coordination request by readTimeoutMs, never below 2 s', () => {
    expect(coordinationTimeoutMs(30_000)).toBe(30_000);
    expect(coordinationTimeoutMs(20)).toBe(2_000);
    expect(coordinationTimeoutMs(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});

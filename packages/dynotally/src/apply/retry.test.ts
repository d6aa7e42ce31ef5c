import { afterEach, describe, expect, it, vi } from 'vitest';
import { withRetry } from './retry.ts';

const throttled = (attempts: number) =>
  Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { attempts } });

describe('withRetry and the SDK client’s own retries', () => {
  it('counts the attempts the SDK made toward its bound, so they do not multiply', async () => {
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw throttled(3); // the SDK tried three times inside each call
      },
      { maxAttempts: 6, baseDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('APPLY_FAILED');
    expect(calls).toBe(2); // 2 calls × 3 SDK attempts = 6 attempts in all, not 6 × 3
  });

  it('a client with maxAttempts 1 gets every attempt from dynotally', async () => {
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        throw throttled(1);
      },
      { maxAttempts: 4, baseDelayMs: 1 },
    ).catch(() => undefined);
    expect(calls).toBe(4);
  });
});

describe('withRetry once its attempts are spent', () => {
  it('names the call and the network code, not "a write", so a read (a query) can say it too', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const err = await withRetry(
      async () => {
        throw refused;
      },
      { maxAttempts: 2, baseDelayMs: 1 },
    ).catch((e: unknown) => e as Error & { code?: string; cause?: unknown; details?: unknown });
    expect(err.code).toBe('APPLY_FAILED');
    expect(err.message).toMatch(
      /^a DynamoDB call still failed after 2 attempts \(Error ECONNREFUSED\): the connection/,
    );
    expect(err.message).not.toContain('a write');
    expect(err.cause).toBe(refused);
    expect(err.details).toEqual({ attempts: 2, error: 'Error', network: 'ECONNREFUSED' });
  });
});

// Review s43b: a worker's start ended its retries on stop() by racing them with the stop signal (untilAborted, beside
// its twin in bounded-read.ts); withRetry takes the signal itself. Break-check: with the backoff a plain timer again,
// the first test waits out the backoff (about a minute) and times out.
describe('withRetry with a signal', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('ends the backoff when the signal aborts, rejects with its reason, and tries no more', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.99); // a backoff of about a minute
    const stop = new AbortController();
    const reason = new Error('stopped');
    let calls = 0;
    const from = Date.now();
    const err = withRetry(
      async () => {
        calls++;
        setTimeout(() => stop.abort(reason), 50);
        throw throttled(1);
      },
      { maxAttempts: 12, baseDelayMs: 60_000, maxDelayMs: 60_000, signal: stop.signal },
    ).catch((e: unknown) => e);
    expect(await err).toBe(reason);
    expect(calls).toBe(1);
    expect(Date.now() - from).toBeLessThan(20_000); // not the minute's backoff
  }, 30_000);

  it('makes no attempt once the signal has aborted', async () => {
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        return 1;
      },
      { signal: stop.signal },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('stopped');
    expect(calls).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
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

// boundedRead ends a stream read after its timeout or when the consumer stops, and leaves nothing behind on the
// consumer's long-lived stop signal: AbortSignal.any, which it replaces, kept every signal it made referenced there
// on Node 20 (a consumer reads several times a second for hours).
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { boundedRead } from './bounded-read.ts';

/** A read that settles only when its signal aborts (at once when it is aborted already, as the SDK's does). */
const hung = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });

describe('boundedRead', () => {
  it('ends a read that does not answer within its timeout, with a TimeoutError', async () => {
    const stop = new AbortController();
    const error = await boundedRead(stop.signal, 20, hung).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('ends a read in flight when the consumer stops, and one begun after at once', async () => {
    const stop = new AbortController();
    const pending = boundedRead(stop.signal, Number.POSITIVE_INFINITY, hung).catch((e: unknown) => e);
    stop.abort(new Error('stopped'));
    expect(((await pending) as Error).message).toBe('stopped');
    const after = await boundedRead(stop.signal, 60_000, hung).catch((e: unknown) => e);
    expect((after as Error).message).toBe('stopped');
  });

  it('leaves no listener on the stop signal after 10,000 reads, answered or failed', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 10_000; i++) {
      if (i % 2 === 0) expect(await boundedRead(stop.signal, 30_000, async () => i)).toBe(i);
      else
        await expect(
          boundedRead(stop.signal, 30_000, async () => Promise.reject(new Error('x'))),
        ).rejects.toThrow('x');
    }
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});

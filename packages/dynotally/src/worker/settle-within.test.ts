import { describe, expect, it } from 'vitest';
import { settleWithin } from './settle-within.ts';

describe('settleWithin', () => {
  it('passes a call that settles in time through, and never calls its callbacks', async () => {
    const told: unknown[] = [];
    const timedOut = () => new Error('hung');
    await expect(settleWithin(Promise.resolve(7), 1_000, timedOut, (l) => told.push(l))).resolves.toBe(7);
    await expect(
      settleWithin(Promise.reject(new Error('no')), 1_000, timedOut, (l) => told.push(l)),
    ).rejects.toThrow('no');
    expect(told).toEqual([]);
  });

  it("rejects with the timeout's error, then tells how the call settled late", async () => {
    let finish: (v: number) => void = () => {};
    const call = new Promise<number>((r) => {
      finish = r;
    });
    const told: Array<{ ok: boolean }> = [];
    await expect(
      settleWithin(
        call,
        10,
        () => new Error('hung'),
        (l) => told.push(l),
      ),
    ).rejects.toThrow('hung');
    finish(1);
    await call;
    await new Promise((r) => setTimeout(r, 0));
    expect(told).toEqual([expect.objectContaining({ ok: true })]);
  });

  it('returns the call itself without a finite limit', () => {
    const call = new Promise<number>(() => {});
    expect(
      settleWithin(
        call,
        Number.POSITIVE_INFINITY,
        () => new Error('x'),
        () => {},
      ),
    ).toBe(call);
  });
});

import type { WriteSide } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { withApply } from './wrapped-side.ts';

describe('withApply', () => {
  it("keeps the side's dead-letter probe, called on the side", async () => {
    const calls: unknown[] = [];
    const side = {
      rollups: [],
      apply: async () => ({}) as Awaited<ReturnType<WriteSide['apply']>>,
      async deadLetterProbe(input: unknown) {
        calls.push([this, input]);
        return { strategy: 'all-or-nothing' } as never;
      },
    } satisfies WriteSide;
    const wrapped = withApply(side, side.apply);
    expect(wrapped.deadLetterProbe).toBeTypeOf('function');
    await wrapped.deadLetterProbe?.({} as never);
    expect(calls).toEqual([[side, {}]]);
  });

  it('adds no probe to a side without one', () => {
    const side: WriteSide = { rollups: [], apply: async () => ({}) as never };
    expect('deadLetterProbe' in withApply(side, side.apply)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { ExistenceGuesses } from './existence-guesses.ts';

const hour = (h: number) => ({ rollup: 'store', sk: `H2026-11-22T${String(h).padStart(2, '0')}` });
const all = { rollup: 'store', sk: 'ALL' };

describe('ExistenceGuesses', () => {
  it('guesses new until stored rows outnumber new ones, per rollup and row kind', () => {
    const g = new ExistenceGuesses();
    expect(g.exists(hour(1))).toBe(false);
    g.saw(hour(1), true);
    expect(g.exists(hour(2))).toBe(true); // another hour row: the same kind
    expect(g.exists(all)).toBe(false); // another kind
    expect(g.exists({ rollup: 'other', sk: 'H2026-11-22T02' })).toBe(false); // another rollup
    g.saw(hour(3), false);
    expect(g.exists(hour(4))).toBe(false); // a tie: new
  });

  it('follows a change of workload within a window of outcomes', () => {
    const g = new ExistenceGuesses();
    for (let i = 0; i < 1000; i++) g.saw(all, true);
    let n = 0;
    while (g.exists(all)) {
      g.saw(all, false);
      n++;
    }
    // a thousand stored rows are outweighed by at most a window's worth of new ones
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(64);
  });
});

import { describe, expect, it } from 'vitest';
import { ExistenceGuesses } from './existence-guesses.ts';

const hour = (h: number) => ({ rollup: 'store', sk: `H2026-11-22T${String(h).padStart(2, '0')}` });
const all = { rollup: 'store', sk: 'ALL' };

describe('ExistenceGuesses', () => {
  it('guesses insert until stored rows outnumber new ones, per rollup and row kind', () => {
    const g = new ExistenceGuesses();
    expect(g.write(hour(1))).toBe('insert');
    g.saw(hour(1), true);
    expect(g.write(hour(2))).toBe('update'); // another hour row: the same kind
    expect(g.write(all)).toBe('insert'); // another kind
    expect(g.write({ rollup: 'other', sk: 'H2026-11-22T02' })).toBe('insert'); // another rollup
    g.saw(hour(3), false);
    expect(g.write(hour(4))).toBe('insert'); // a tie: insert
  });

  it('sends the rows of an unsure kind through UpdateItem, all but one in eight', () => {
    const g = new ExistenceGuesses();
    for (let i = 0; i < 7; i++) g.saw(all, i % 3 !== 0); // 4 stored, 3 new: too few outcomes to be unsure
    expect(g.write(all)).toBe('update');
    g.saw(all, true); // 5 of 8 stored: the rarer outcome is 3 of 8
    const writes = Array.from({ length: 16 }, () => g.write(all));
    expect(writes.filter((w) => w === 'item')).toHaveLength(14);
    expect(writes.filter((w) => w === 'update')).toHaveLength(2);
    for (let i = 0; i < 16; i++) g.saw(all, true); // 21 of 24 stored: sure again
    expect(g.write(all)).toBe('update');
    expect(g.write(all)).toBe('update');
  });

  it('follows a change of workload within a window of outcomes', () => {
    const g = new ExistenceGuesses();
    for (let i = 0; i < 1000; i++) g.saw(all, true);
    let n = 0;
    while (g.write(all) !== 'insert') {
      g.saw(all, false);
      n++;
    }
    // a thousand stored rows are outweighed by at most a window's worth of new ones
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(64);
  });
});

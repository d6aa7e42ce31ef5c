// The CLI's counts and nouns: singular for exactly one, never "1 groups" nor "pass(es)".
import { describe, expect, it } from 'vitest';
import { agree, plural } from './plural.ts';

describe('plural', () => {
  it('is singular for one, plural otherwise (zero too), with en-US digits', () => {
    expect([0, 1, 2, 1204].map((n) => plural(n, 'group'))).toEqual([
      '0 groups',
      '1 group',
      '2 groups',
      '1,204 groups',
    ]);
  });

  it('takes an irregular plural', () => {
    expect([plural(1, 'pass', 'passes'), plural(3, 'pass', 'passes')]).toEqual(['1 pass', '3 passes']);
  });

  it('agrees a verb with the count', () => {
    expect([1, 2].map((n) => `${plural(n, 'cell')} ${agree(n, 'differs', 'differ')}`)).toEqual([
      '1 cell differs',
      '2 cells differ',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { dropRefusal } from './drop-refusal.ts';

describe('dead-letters drop: the letters it did not drop', () => {
  // Review s38u: the message was one text for both outcomes ("a not-found id is already gone; replay a
  // half-replayed letter to finish it, or drop it with --force"), so an id that is only gone was also told to
  // replay or force, and not where it was looked for.
  it('an id that is gone is told so, with the table it was looked up in, and nothing about --force', () => {
    const e = dropRefusal([{ id: '0123456789abcdef', outcome: 'not-found' }], 'orders-dead-letters');
    expect(e.code).toBe('DEAD_LETTER_NOT_FOUND');
    expect(e.message).toContain('0123456789abcdef is not in orders-dead-letters');
    expect(e.message).not.toContain('--force');
    expect(e.message).not.toContain('half-replayed');
  });

  it('a half-replayed letter is told to replay or --force, and no "not-found" text', () => {
    const e = dropRefusal([{ id: 'aaaaaaaaaaaaaaaa', outcome: 'half-replayed' }], 'dl');
    expect(e.code).toBe('DEAD_LETTER_NOT_REPLAYABLE');
    expect(e.message).toContain('aaaaaaaaaaaaaaaa is half-replayed');
    expect(e.message).toContain('--force');
    expect(e.message).not.toContain('not in dl');
  });

  it('both at once name each with its own way on', () => {
    const e = dropRefusal(
      [
        { id: '0123456789abcdef', outcome: 'not-found' },
        { id: 'aaaaaaaaaaaaaaaa', outcome: 'half-replayed' },
      ],
      'dl',
    );
    expect(e.code).toBe('DEAD_LETTER_NOT_REPLAYABLE');
    expect(e.message).toContain('0123456789abcdef is not in dl');
    expect(e.message).toContain('aaaaaaaaaaaaaaaa is half-replayed');
    expect(e.details).toEqual({ ids: ['0123456789abcdef', 'aaaaaaaaaaaaaaaa'] });
  });
});

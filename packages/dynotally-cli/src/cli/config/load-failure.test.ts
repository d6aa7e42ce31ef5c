import { describe, expect, it } from 'vitest';
import { loadFailureReason } from './load-failure.ts';

const PATH = '/app/dynotally.config.ts';

describe('loadFailureReason', () => {
  it('keeps the first line of an ordinary error', () => {
    expect(loadFailureReason(new Error('Cannot find module x\nRequire stack: …'), PATH, 'c.ts')).toBe(
      'Cannot find module x',
    );
  });

  it("gives a transform error's problem and position, with the path as shown", () => {
    const e = new Error(`Transform failed with 1 error:\n${PATH}:2:34: ERROR: Expected "}" but found ";"`);
    expect(loadFailureReason(e, PATH, 'dynotally.config.ts')).toBe(
      'dynotally.config.ts:2:34: Expected "}" but found ";"',
    );
  });

  it('says how to load a top-level await compiled to CommonJS', () => {
    const e = new Error(
      `Transform failed with 1 error:\n${PATH}:2:16: ERROR: Top-level await is currently not supported with the "cjs" output format`,
    );
    expect(loadFailureReason(e, PATH, 'dynotally.config.ts')).toMatch(
      /^dynotally\.config\.ts:2:16: Top-level await .* rename it \.mts, or add "type": "module"/,
    );
  });

  it('keeps the first line when a transform error names no problem line', () => {
    expect(loadFailureReason(new Error('Transform failed with 2 errors:'), PATH, 'c.ts')).toBe(
      'Transform failed with 2 errors:',
    );
    expect(loadFailureReason('plain text', PATH, 'c.ts')).toBe('plain text');
  });
});

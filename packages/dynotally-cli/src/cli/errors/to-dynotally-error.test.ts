// The CLI turns every error into a coded one. An error of another copy of dynotally (a config file that
// resolves its own install) keeps its code and message, instead of being reported as INTERNAL_ERROR.
import { describe, expect, it } from 'vitest';
import { secondErrorsCopy } from '../../../../../test/support/second-errors-copy.ts';
import { toDynotallyError } from './to-dynotally-error.ts';

describe('toDynotallyError', () => {
  it("keeps the code of another copy's DynotallyError", async () => {
    const copy = await secondErrorsCopy();
    const err = new copy.DynotallyError('CONFIG_INVALID', "rollup 'jobs' is defined twice", {
      details: { name: 'jobs' },
    });
    const coded = toDynotallyError(err);
    expect(coded).toBe(err);
    expect([coded.code, coded.message, coded.details]).toEqual([
      'CONFIG_INVALID',
      "rollup 'jobs' is defined twice",
      { name: 'jobs' },
    ]);
  });
});

// The CLI turns every error into a coded one. An error of another copy of dynotally (a config file that
// resolves its own install) keeps its code and message, instead of being reported as INTERNAL_ERROR.
import { DynotallyError } from 'dynotally';
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

  it('looks under APPLY_FAILED and WORKER_ERROR for a refused connection (session 19)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    for (const code of ['APPLY_FAILED', 'WORKER_ERROR'] as const) {
      const wrapped = new DynotallyError(code, 'spent', { cause: refused });
      const coded = toDynotallyError(wrapped, { endpoint: 'http://127.0.0.1:9' });
      expect(coded.code).toBe('ENDPOINT_UNREACHABLE');
      expect(coded.message).toContain('cannot reach DynamoDB at http://127.0.0.1:9 (ECONNREFUSED)');
      expect(coded.cause).toBe(wrapped);
    }
    // an APPLY_FAILED without a network error underneath keeps its code
    const spent = new DynotallyError('APPLY_FAILED', 'throttled', {
      cause: Object.assign(new Error('slow down'), { name: 'ThrottlingException' }),
    });
    expect(toDynotallyError(spent)).toBe(spent);
  });

  it("keeps REDIS_UNAVAILABLE: the refused connection under it is Redis's, not DynamoDB's", () => {
    const redis = new DynotallyError('REDIS_UNAVAILABLE', 'redis down', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    });
    expect(toDynotallyError(redis)).toBe(redis);
  });
});

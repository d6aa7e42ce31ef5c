import { describe, expect, it } from 'vitest';
import { claimPrefix, newClaimScope } from './claim-scope.ts';
import { parseControl } from './control-item.ts';
import { registerVersionParams } from './control-params.ts';

describe('claim scope (a version build id keying its claims and progress)', () => {
  it('keys a version with a build id apart, and one without by its bare key prefix', () => {
    expect(claimPrefix('store.v2', undefined)).toBe('store.v2');
    expect(claimPrefix('store.v2', 'abcdefghijklmnop')).toBe('store.v2~abcdefghijklmnop');
    // injective: a rollup name holds no '~', and a version suffix is '.v<n>'
    expect(claimPrefix('store', 'v2')).not.toBe(claimPrefix('store.v2', undefined));
  });

  it('makes 16 characters of base32, different every time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newClaimScope()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{16}$/);
  });

  it('registers a version built by a backfill with a build id, and a serving first version without', () => {
    const entry = (needsBackfill: boolean) =>
      registerVersionParams('agg', 'store', {
        fingerprint: 'fp',
        version: 1,
        expectedNext: undefined,
        state: needsBackfill ? 'building' : 'serving',
        needsBackfill,
        now: 1,
        claimScope: 'abcdefghijklmnop',
      }).ExpressionAttributeValues?.[':entry']?.M;
    expect(entry(true)?.claims).toEqual({ M: { scope: { S: 'abcdefghijklmnop' } } });
    expect(entry(false)?.claims).toBeUndefined();
  });

  it('reads the claim table bound by this release (a map) and by an earlier one (a string)', () => {
    const control = parseControl('store', {
      v1: { M: { fp: { S: 'a' }, state: { S: 'building' }, claims: { S: 'old-claims' } } },
      v2: {
        M: {
          fp: { S: 'b' },
          state: { S: 'building' },
          claims: { M: { scope: { S: 'abcdefghijklmnop' }, table: { S: 'claims' } } },
        },
      },
      v3: { M: { fp: { S: 'c' }, state: { S: 'building' }, claims: { M: { scope: { S: 'x' } } } } },
    });
    expect(control?.versions.map((v) => [v.claimTable, v.claimScope])).toEqual([
      ['old-claims', undefined],
      ['claims', 'abcdefghijklmnop'],
      [undefined, 'x'],
    ]);
  });
});

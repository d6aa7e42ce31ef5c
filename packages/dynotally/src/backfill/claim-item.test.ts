import { describe, expect, it } from 'vitest';
import { claimKey, MAX_CLAIM_KEY_BYTES } from './claim-item.ts';

describe('claimKey', () => {
  it('keeps a key within 2,048 bytes exactly as before (claims stored by a running backfill are still found)', () => {
    expect(claimKey('store.v2', { id: { S: 'o-1' } })).toBe('store.v2#[["id","S","o-1"]]');
    expect(claimKey('store.v2', { sk: { N: '7' }, pk: { B: Uint8Array.of(1, 2) } })).toBe(
      'store.v2#[["pk","B","AQI="],["sk","N","7"]]',
    );
    // the longest kept key: 2,048 bytes, multi-byte characters counted as UTF-8
    const head = 'store.v2#[["id","S","'.length + '"]]'.length;
    const longest = { id: { S: `${'é'.repeat(100)}${'x'.repeat(MAX_CLAIM_KEY_BYTES - head - 200)}` } };
    expect(Buffer.byteLength(claimKey('store.v2', longest))).toBe(MAX_CLAIM_KEY_BYTES);
    expect(claimKey('store.v2', longest)).toBe(`store.v2#${JSON.stringify([['id', 'S', longest.id.S]])}`);
  });

  it('hashes a longer key: within 2,048 bytes, distinct per item, the same for the same item', () => {
    const keys = (p: string, s: string) => ({ pk: { S: p }, sk: { S: s } });
    const a = claimKey('kinds', keys('p'.repeat(1200), 's'.repeat(900)));
    const b = claimKey('kinds', keys('p'.repeat(1200), `${'s'.repeat(899)}t`));
    expect(a).toMatch(/^kinds#sha256:[A-Za-z0-9_-]{43}$/);
    expect(b).not.toBe(a);
    expect(claimKey('kinds', keys('p'.repeat(1200), 's'.repeat(900)))).toBe(a);
    // the version's prefix stays in front: each version's claims apart, found by prefix
    expect(claimKey('kinds.v2', keys('p'.repeat(1200), 's'.repeat(900)))).toBe(
      a.replace('kinds#', 'kinds.v2#'),
    );
    // a key just past the bound is hashed too
    const head = 'store.v2#[["id","S","'.length + '"]]'.length;
    const past = claimKey('store.v2', { id: { S: 'x'.repeat(MAX_CLAIM_KEY_BYTES - head + 1) } });
    expect(past.startsWith('store.v2#sha256:')).toBe(true);
  });
});

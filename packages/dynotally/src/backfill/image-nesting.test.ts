import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Image } from '../decode/index.ts';
import type { ScanClaim } from './claim.ts';
import { claimKey, claimToItem } from './claim-item.ts';
import { imageDigest } from './image-digest.ts';
import { imageNestsInClaim, nestingLevels } from './image-nesting.ts';
import { decodeImage, spillClaim } from './image-parts.ts';

/** `maps` maps around a string: `maps + 1` levels (DynamoDB Local keeps 31 maps as an attribute, refuses 32). */
const nested = (maps: number): AttributeValue =>
  maps === 0 ? { S: 'leaf' } : { M: { a: nested(maps - 1) } };
const TTL = 1_800_000_000;
const pk = claimKey('kinds', { id: { S: 'item-1' } });
const scan = (deep: AttributeValue): ScanClaim & { image: Image } => ({
  by: 'scan',
  segment: 0,
  chunk: 3,
  image: { id: { S: 'item-1' }, deep } as Image,
  live: undefined,
});

describe('nestingLevels', () => {
  it('counts a scalar as 1 and each map or list around it as one more', () => {
    expect(nestingLevels({ S: 'a' })).toBe(1);
    expect(nestingLevels({ M: {} })).toBe(2);
    expect(nestingLevels({ L: [] })).toBe(2);
    expect(nestingLevels({ L: [{ N: '1' }, { M: { a: { L: [] } } }] })).toBe(4);
    expect(nestingLevels(nested(31))).toBe(32);
  });
});

describe('a scan claim of an item nested as deep as DynamoDB allows', () => {
  it('keeps an image one level short of the limit in the claim', () => {
    const claim = scan(nested(30));
    expect(imageNestsInClaim(claim.image)).toBe(true);
    expect(spillClaim(pk, claim, TTL)).toEqual({ claim, parts: [] });
  });

  it('spills an image that would nest past 32 levels inside the claim: no claim write is refused for it', () => {
    const claim = scan(nested(31));
    const { claim: stored, parts } = spillClaim(pk, claim, TTL);
    expect(parts.length).toBe(1);
    expect('image' in stored).toBe(false);
    if (!('spill' in stored)) throw new Error('not spilled');
    expect(stored.spill.digest).toBe(imageDigest(claim.image));
    expect(decodeImage(parts.map((p) => p.part?.B as Uint8Array))).toEqual(claim.image);
    // the claim item holds no image: a live conversion rewrites it at the claim's own few levels
    const item = claimToItem(pk, { ...stored, live: { seq: '1', first: 'new' } }, TTL);
    expect(Math.max(...Object.values(item).map(nestingLevels))).toBe(1);
  });
});

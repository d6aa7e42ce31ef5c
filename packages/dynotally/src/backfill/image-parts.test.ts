import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { itemSizeBytes } from '../cost/index.ts';
import type { Image } from '../decode/index.ts';
import type { Claim } from './claim.ts';
import { claimFromItem, claimKey, claimToItem } from './claim-item.ts';
import { imageDigest } from './image-digest.ts';
import {
  decodeImage,
  encodeImage,
  encodingDigest,
  IMAGE_PART_BYTES,
  imagePartKey,
  LIVE_CLAIM_BYTES,
  spillClaim,
} from './image-parts.ts';

const LIMIT = 400 * 1024;
const TTL = 1_800_000_000;
const pk = claimKey('kinds', { id: { S: 'item-1' } });
const scan = (image: Image): Claim => ({ by: 'scan', segment: 0, chunk: 3, image, live: undefined });
/** A scan claim item of exactly `bytes` (DynamoDB's item-size rules), its image padded with `payload`. */
function claimOfSize(bytes: number): Claim {
  const base = scan({ id: { S: 'item-1' }, payload: { S: '' } });
  const pad = bytes - itemSizeBytes(claimToItem(pk, base, TTL));
  return scan({ id: { S: 'item-1' }, payload: { S: 'x'.repeat(pad) } });
}

describe('spillClaim', () => {
  it('keeps a claim whose item fits with the fields a live conversion adds, spills one byte more', () => {
    const kept = claimOfSize(LIMIT - LIVE_CLAIM_BYTES);
    expect(itemSizeBytes(claimToItem(pk, kept, TTL))).toBe(LIMIT - LIVE_CLAIM_BYTES);
    expect(spillClaim(pk, kept, TTL)).toEqual({ claim: kept, parts: [] });
    const over = claimOfSize(LIMIT - LIVE_CLAIM_BYTES + 1);
    const { claim, parts } = spillClaim(pk, over, TTL);
    if (over.by !== 'scan' || !('image' in over)) throw new Error('not an image claim');
    expect(claim).toEqual({
      by: 'scan',
      segment: 0,
      chunk: 3,
      spill: {
        digest: imageDigest(over.image),
        parts: 1,
        encoding: encodingDigest([encodeImage(over.image)]),
      },
      live: undefined,
    });
    expect(itemSizeBytes(claimToItem(pk, claim, TTL))).toBeLessThan(300);
    // keyed by the digest of the parts' bytes, not of the image: another encoding of it gets keys of its own
    expect(parts.map((p) => p.pk?.S)).toEqual([
      imagePartKey(pk, encodingDigest([encodeImage(over.image)]), 0),
    ]);
    expect(claimFromItem(claimToItem(pk, claim, TTL))).toEqual(claim);
    expect(decodeImage(parts.map((p) => p.part?.B as Uint8Array))).toEqual(over.image);
  });

  it('spills a live claim too large for one item (an old-form claim the stream makes live)', () => {
    const big = claimOfSize(LIMIT - 10);
    const live = { ...big, live: { seq: '1'.padStart(40, '0'), first: 'full' as const } } as Claim;
    const { claim, parts } = spillClaim(pk, live, TTL);
    expect(claim).toMatchObject({ by: 'scan', live: live.live, spill: { parts: 1 } });
    expect(parts).toHaveLength(1);
  });

  it('leaves stream claims and spilled claims as they are', () => {
    const stream: Claim = { by: 'stream', live: { seq: '1', first: 'new' } };
    expect(spillClaim(pk, stream, TTL)).toEqual({ claim: stream, parts: [] });
    const spilled: Claim = {
      by: 'scan',
      segment: 0,
      chunk: 0,
      spill: { digest: 'd', parts: 2 },
      live: undefined,
    };
    expect(spillClaim(pk, spilled, TTL)).toEqual({ claim: spilled, parts: [] });
  });

  it('cuts an image whose encoding passes one part into parts within 400 KB, which give it back', () => {
    // random bytes do not deflate: 400 KB of binary is 533 KB of base64 in the encoding (410 KB deflated)
    const image: Image = {
      id: { S: 'item-1' },
      blob: { B: new Uint8Array(randomBytes(LIMIT - 100)) as never },
    };
    const { claim, parts } = spillClaim(pk, scan(image), TTL);
    expect('spill' in claim && claim.spill.parts).toBe(2);
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(itemSizeBytes(part)).toBeLessThanOrEqual(IMAGE_PART_BYTES + 300);
    expect(new Set(parts.map((p) => p.pk?.S)).size).toBe(2);
    const back = decodeImage(parts.map((p) => p.part?.B as Uint8Array));
    expect(imageDigest(back)).toBe(imageDigest(image));
    expect(Buffer.compare(back.blob?.B as never, image.blob?.B as never)).toBe(0);
    expect(back.blob?.B).toBeInstanceOf(Uint8Array);
  });
});

describe('imagePartKey', () => {
  it('is per claim and image, within the version prefix, never a claim or progress key', () => {
    const other = claimKey('kinds', { id: { S: 'item-2' } });
    const keys = [
      imagePartKey(pk, 'd1', 0),
      imagePartKey(pk, 'd1', 1),
      imagePartKey(pk, 'd2', 0),
      imagePartKey(other, 'd1', 0),
    ];
    expect(new Set(keys).size).toBe(4);
    for (const k of keys) expect(k).toMatch(/^kinds#img:[A-Za-z0-9_-]{43}:d[12]:[01]$/);
    const long = claimKey('kinds', { id: { S: 'x'.repeat(3000) } });
    expect(Buffer.byteLength(imagePartKey(long, imageDigest({}), 12))).toBeLessThan(200);
  });
});

describe('encodeImage and decodeImage', () => {
  it('give back every attribute type, binary as bytes, order kept', () => {
    const image = {
      s: { S: 'é"\u0001' },
      n: { N: '-1.5e10' },
      b: { B: Uint8Array.of(0, 255) },
      bs: { BS: [Uint8Array.of(2), Uint8Array.of(1)] },
      ss: { SS: ['b', 'a'] },
      ns: { NS: ['2', '1'] },
      t: { BOOL: false },
      z: { NULL: true },
      // a map whose attributes are named like type keys
      m: { M: { B: { S: 'not binary' }, BS: { L: [{ B: Uint8Array.of(7) }] } } },
      l: { L: [{ M: {} }, { L: [] }] },
    } as unknown as Image;
    const back = decodeImage([encodeImage(image)]);
    expect(back).toEqual(image);
    expect(Object.keys(back)).toEqual(Object.keys(image));
    expect((back.bs as unknown as { BS: Uint8Array[] }).BS.map((x) => x[0])).toEqual([2, 1]);
  });
});

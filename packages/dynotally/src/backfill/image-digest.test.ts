import { describe, expect, it } from 'vitest';
import { canonicalImage, imageDigest } from './image-digest.ts';

describe('canonicalImage and imageDigest', () => {
  it('do not depend on attribute order, set order or the form of binary values', () => {
    const a = {
      g: { S: 'a' },
      tags: { SS: ['y', 'x'] },
      nums: { NS: ['2', '10'] },
      blob: { B: Uint8Array.of(1, 2, 3) },
      blobs: { BS: [Uint8Array.of(9), Uint8Array.of(1)] },
      m: { M: { z: { N: '1' }, a: { L: [{ B: Uint8Array.of(255) }, { NULL: true as const }] } } },
    };
    // the same item as a Lambda event carries it: binary values in base64, other orders
    const b = {
      m: { M: { a: { L: [{ B: '/w==' }, { NULL: true as const }] }, z: { N: '1' } } },
      blobs: { BS: ['AQ==', 'CQ=='] },
      blob: { B: 'AQID' },
      nums: { NS: ['10', '2'] },
      tags: { SS: ['x', 'y'] },
      g: { S: 'a' },
    };
    expect(canonicalImage(a as never)).toBe(canonicalImage(b as never));
    expect(imageDigest(a as never)).toBe(imageDigest(b as never));
    expect(imageDigest(a as never)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('tell apart images that fold differently', () => {
    const images = [
      { g: { S: 'a' } },
      { g: { S: 'b' } },
      { g: { N: '1' } },
      { g: { S: '1' } },
      { g: { L: [{ S: 'a' }, { S: 'b' }] } },
      { g: { L: [{ S: 'b' }, { S: 'a' }] } }, // a list keeps its order
      { g: { S: 'a' }, h: { S: 'a' } },
      { g: { M: { S: { S: 'a' } } } },
      { g: { B: Uint8Array.of(1) } },
      { g: { S: 'AQ==' } },
      {},
    ];
    const digests = new Set(images.map((i) => imageDigest(i as never)));
    expect(digests.size).toBe(images.length);
  });

  it('encode a value of a shape DynamoDB never emits without throwing', () => {
    expect(() => imageDigest({ a: { S: 5 }, b: null, c: { S: 'x', N: '1' }, d: {} } as never)).not.toThrow();
  });
});

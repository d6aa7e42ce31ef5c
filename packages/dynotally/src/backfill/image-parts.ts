import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../cost/index.ts';
import type { Image } from '../decode/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { Claim, ImageSpill } from './claim.ts';
import { claimToItem } from './claim-item.ts';
import { imageDigest } from './image-digest.ts';
import { imageNestsInClaim } from './image-nesting.ts';

/**
 * Bytes a stream side may add to a scan claim when it makes it live: `lseq` (a 40-digit sequence number) and
 * `lfirst` (54 bytes), and 4 for its `ttl`, which it writes afresh (a number's size follows its digits:
 * 1800000000 is 2 bytes, 1812345678 is 6). A claim keeps its image only if it still fits with them, so that
 * write does not have to spill it.
 *
 * @example
 * ```ts
 * claimFits(item, claim); // itemSizeBytes(item) + LIVE_CLAIM_BYTES <= 400 KB for a claim not yet live
 * ```
 */
export const LIVE_CLAIM_BYTES = itemSizeBytes({ lseq: { S: '0'.repeat(40) }, lfirst: { S: 'skip' } }) + 4;

/**
 * Most bytes of an image's encoding one part holds: a part item is its key (about 150 bytes), these bytes and
 * its `ttl`, well within 400 KB.
 *
 * @example
 * ```ts
 * Math.ceil(encoded.length / IMAGE_PART_BYTES); // the number of parts
 * ```
 */
export const IMAGE_PART_BYTES = 350_000;

/**
 * The claim to write for `claim` and the items to write before it. A scan claim whose item (with the fields a
 * live conversion adds) would pass DynamoDB's 400 KB, or whose image would nest past DynamoDB's 32 levels inside
 * the claim's `img` map ({@link imageNestsInClaim}), is written with its image's {@link imageDigest} and part
 * count instead of the image (`spill`), and its image, deflated, goes in parts beside it
 * ({@link imagePartKey}); every other claim is written as it is, with no parts. The parts must be durable
 * before the claim: a claim that names parts is only ever read after they were written. Parts are keyed by the
 * claim and the digest of their bytes ({@link encodingDigest}), so two processes claiming one item never
 * overwrite each other's parts: not with other images, nor with the same image encoded otherwise (read in
 * another attribute order, deflated by another zlib).
 *
 * @example
 * ```ts
 * const { claim: stored, parts } = spillClaim(pk, claim, ttlSeconds);
 * for (const Item of parts) await client.send(new PutItemCommand({ TableName, Item }));
 * await putClaim(client, TableName, pk, stored, undefined, ttlSeconds);
 * ```
 */
export function spillClaim(
  pk: string,
  claim: Claim,
  ttlSeconds: number,
): { claim: Claim; parts: Record<string, AttributeValue>[] } {
  if (
    claim.by !== 'scan' ||
    !('image' in claim) ||
    (claimFits(claimToItem(pk, claim, ttlSeconds), claim) && imageNestsInClaim(claim.image))
  )
    return { claim, parts: [] };
  const encoded = encodeImage(claim.image);
  const spill: ImageSpill = {
    digest: imageDigest(claim.image),
    parts: Math.max(1, Math.ceil(encoded.length / IMAGE_PART_BYTES)),
    encoding: encodingDigest([encoded]),
  };
  const parts = Array.from({ length: spill.parts }, (_, n) => ({
    pk: { S: imagePartKey(pk, partsName(spill), n) },
    part: { B: encoded.subarray(n * IMAGE_PART_BYTES, (n + 1) * IMAGE_PART_BYTES) },
    ttl: { N: String(ttlSeconds) },
  }));
  const { image: _image, ...rest } = claim;
  return { claim: { ...rest, spill }, parts };
}

/**
 * Whether a claim item is within DynamoDB's 400 KB, with room for what a stream side adds when it makes a scan
 * claim live ({@link LIVE_CLAIM_BYTES}; none once the claim is live).
 *
 * @example
 * ```ts
 * claimFits(claimToItem(pk, claim, ttl), claim); // false for a scan claim holding a 400 KB image
 * ```
 */
export function claimFits(item: Record<string, AttributeValue>, claim: Claim): boolean {
  const room = claim.live === undefined ? LIVE_CLAIM_BYTES : 0;
  return itemSizeBytes(item) + room <= DYNAMO_LIMITS.itemBytes;
}

/**
 * SHA-256 (base64url) of a spilled image's encoded bytes, its parts in order: what names the parts' keys
 * ({@link partsName}).
 *
 * @example
 * ```ts
 * encodingDigest([encodeImage(image)]); // 43 characters
 * ```
 */
export function encodingDigest(parts: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('base64url');
}

/**
 * The digest a spilled claim's part keys carry: its parts' {@link encodingDigest}, or for a claim spilled before
 * parts were keyed so, its image's digest.
 *
 * @example
 * ```ts
 * imagePartKey(pk, partsName(claim.spill), 0);
 * ```
 */
export function partsName(spill: ImageSpill): string {
  return spill.encoding ?? spill.digest;
}

/**
 * The claim-table key of part `n` of a spilled image: the version's prefix, a hash of the claim's key, the
 * digest of the parts' bytes ({@link partsName}) and the part's number (`<prefix>#img:<sha256 of the claim
 * key>:<digest>:<n>`, about 150 bytes). Never a claim key (`<prefix>#[…` or `<prefix>#sha256:…`) nor a
 * progress key (`~bf#…`).
 *
 * @example
 * ```ts
 * imagePartKey('store.v2#[["id","S","o-1"]]', digest, 0); // 'store.v2#img:…:…:0'
 * ```
 */
export function imagePartKey(claimPk: string, digest: string, n: number): string {
  const prefix = claimPk.slice(0, Math.max(0, claimPk.indexOf('#')));
  return `${prefix}#img:${createHash('sha256').update(claimPk).digest('base64url')}:${digest}:${n}`;
}

/**
 * An image as bytes: its attribute values as JSON (binary values as base64), deflated. Order is kept as it
 * is (the image folded after a restart is the image read).
 *
 * @example
 * ```ts
 * decodeImage([encodeImage(image)]); // equal to image
 * ```
 */
export function encodeImage(image: Image): Buffer {
  return deflateRawSync(JSON.stringify(image, binaryAsBase64));
}

/**
 * The image whose {@link encodeImage} bytes are the parts' bytes, in order.
 *
 * @example
 * ```ts
 * const image = decodeImage(parts.map((p) => p.part.B));
 * ```
 */
export function decodeImage(parts: readonly Uint8Array[]): Image {
  return JSON.parse(inflateRawSync(Buffer.concat(parts)).toString('utf8'), base64AsBinary) as Image;
}

function binaryAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array)
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  return value;
}

/** Under an attribute value's `B` or `BS` key (never a map's attribute, whose value is an object). */
function base64AsBinary(key: string, value: unknown): unknown {
  if (key === 'B' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  if (key === 'BS' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.map((v: string) => new Uint8Array(Buffer.from(v, 'base64')));
  return value;
}

import { createHash } from 'node:crypto';
import type { Image } from '../decode/index.ts';

/**
 * One text per item image, whatever the form it came in: map attributes in name order, set elements sorted (a
 * DynamoDB set has no order), binary values as base64 (a Lambda event carries them as base64 text, the SDK as
 * bytes). Two images with the same text fold the same way; a value of a shape DynamoDB never emits is encoded
 * as it is, so this never throws.
 *
 * @example
 * ```ts
 * canonicalImage({ b: { SS: ['y', 'x'] }, a: { B: 'AQ==' } }); // '{"a":{"B":"AQ=="},"b":{"SS":["x","y"]}}'
 * // a scanned item's bytes (the SDK's form, cast: `Image` is the event's) give the event's base64 text
 * canonicalImage({ a: { B: Uint8Array.of(1) } } as unknown as Image) === canonicalImage({ a: { B: 'AQ==' } }); // true
 * ```
 */
export function canonicalImage(image: Image): string {
  return map(image);
}

/**
 * The SHA-256 of an image's {@link canonicalImage} text, base64url (43 characters): what a scan claim holds in
 * place of an image too large for the claim item, and what the stream side compares a record's projected
 * images with.
 *
 * @example
 * ```ts
 * imageDigest({ g: { S: 'a' } }) === imageDigest({ g: { S: 'a' } }); // true
 * ```
 */
export function imageDigest(image: Image): string {
  return createHash('sha256').update(canonicalImage(image)).digest('base64url');
}

function map(m: Readonly<Record<string, unknown>>): string {
  return `{${Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${value(m[k])}`)
    .join(',')}}`;
}

function value(v: unknown): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return generic(v);
  const keys = Object.keys(v);
  const [tag] = keys;
  if (keys.length !== 1 || tag === undefined) return generic(v);
  const x = (v as Record<string, unknown>)[tag];
  if ((tag === 'SS' || tag === 'NS') && Array.isArray(x) && x.every((e) => typeof e === 'string'))
    return `{${JSON.stringify(tag)}:${JSON.stringify([...x].sort())}}`;
  if (tag === 'BS' && Array.isArray(x) && x.every(isBinary))
    return `{"BS":${JSON.stringify(x.map(base64).sort())}}`;
  if (tag === 'M' && x !== null && typeof x === 'object' && !Array.isArray(x))
    return `{"M":${map(x as Record<string, unknown>)}}`;
  if (tag === 'L' && Array.isArray(x)) return `{"L":[${x.map(value).join(',')}]}`;
  return generic(v);
}

const isBinary = (x: unknown): x is string | Uint8Array => typeof x === 'string' || x instanceof Uint8Array;

const base64 = (x: string | Uint8Array): string =>
  typeof x === 'string' ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');

/** Any other value (S, N, B, BOOL, NULL, shapes DynamoDB never emits): JSON, keys sorted, bytes as base64. */
function generic(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (v instanceof Uint8Array) return JSON.stringify(base64(v));
  if (Array.isArray(v)) return `[${v.map(generic).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${generic(o[k])}`)
    .join(',')}}`;
}

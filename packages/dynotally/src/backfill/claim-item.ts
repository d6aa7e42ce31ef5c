import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Image } from '../decode/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { Claim, LiveFrom, RecordDecision } from './claim.ts';

/**
 * Longest claim key kept as it is: the claim table's partition key holds 2,048 bytes (UTF-8). A longer one (a
 * source item whose key attributes total about 2 KB: DynamoDB allows 2,048 + 1,024 bytes) would make every
 * request naming it fail, so it is keyed by a hash instead ({@link claimKey}).
 *
 * @example
 * ```ts
 * Buffer.byteLength(claimKey('store.v2', keys)) <= MAX_CLAIM_KEY_BYTES; // always true
 * ```
 */
export const MAX_CLAIM_KEY_BYTES = DYNAMO_LIMITS.partitionKeyBytes;

/**
 * The claim-table key of a source item in one version: the version's key prefix and the item's key attributes
 * (sorted by name, type-tagged), so every key schema maps injectively. A key past {@link MAX_CLAIM_KEY_BYTES}
 * becomes `<prefix>#sha256:<base64url SHA-256 of the key JSON>` (never equal to a kept key, which ends in `]`);
 * every key within it is unchanged, so claims stored before the hash existed are still found. The stream side
 * and the backfill both key claims here, so they agree on every item.
 *
 * @example
 * ```ts
 * claimKey('store.v2', { id: { S: 'o-1' } }); // 'store.v2#[["id","S","o-1"]]'
 * claimKey('store.v2', { id: { S: 'x'.repeat(3000) } }); // 'store.v2#sha256:…' (43 characters of hash)
 * ```
 */
export function claimKey(versionPrefix: string, keys: Record<string, AttributeValue>): string {
  const parts = Object.keys(keys)
    .sort()
    .map((name) => {
      const v = keys[name] as AttributeValue;
      const [type, value] = Object.entries(v)[0] ?? ['NULL', true];
      return [
        name,
        type,
        typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('base64'),
      ];
    });
  const json = JSON.stringify(parts);
  const key = `${versionPrefix}#${json}`;
  if (Buffer.byteLength(key) <= MAX_CLAIM_KEY_BYTES) return key;
  return `${versionPrefix}#sha256:${createHash('sha256').update(json).digest('base64url')}`;
}

/**
 * A claim as a claim-table item: `pk`, `by`, `ttl`; a scan claim's `seg`, `chunk` and its image, in the item
 * (`img`), `none` for a claim of nothing, or by digest, part count and the parts' encoding digest (`dg`, `ip`, `ed`: `spillClaim` decides); a live claim's `lseq`, `lfirst`.
 *
 * @example
 * ```ts
 * claimToItem(pk, { by: 'stream', live: { seq, first: 'new' } }, ttlSeconds);
 * ```
 */
export function claimToItem(pk: string, claim: Claim, ttlSeconds: number): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    pk: { S: pk },
    by: { S: claim.by },
    ttl: { N: String(ttlSeconds) },
  };
  if (claim.by === 'scan') {
    item.seg = { N: String(claim.segment) };
    item.chunk = { N: String(claim.chunk) };
    if ('image' in claim) item.img = { M: claim.image as Record<string, AttributeValue> };
    else if ('nothing' in claim) item.none = { BOOL: true };
    else {
      item.dg = { S: claim.spill.digest };
      item.ip = { N: String(claim.spill.parts) };
      if (claim.spill.encoding !== undefined) item.ed = { S: claim.spill.encoding };
    }
  }
  if (claim.live !== undefined) {
    item.lseq = { S: claim.live.seq };
    item.lfirst = { S: claim.live.first };
  }
  return item;
}

/**
 * A claim-table item as a claim (undefined for no item). Claims written before images could be spilled all hold
 * `img`, and read as they always did.
 *
 * @example
 * ```ts
 * const claim = claimFromItem(out.Item);
 * ```
 */
export function claimFromItem(item: Record<string, AttributeValue> | undefined): Claim | undefined {
  if (item === undefined) return undefined;
  const live: LiveFrom | undefined =
    item.lseq?.S === undefined
      ? undefined
      : { seq: item.lseq.S, first: (item.lfirst?.S ?? 'full') as RecordDecision };
  if (item.by?.S === 'scan') {
    const scan = {
      by: 'scan' as const,
      segment: Number(item.seg?.N ?? -1),
      chunk: Number(item.chunk?.N ?? -1),
      live,
    };
    if (item.none?.BOOL === true) return { ...scan, nothing: true };
    if (item.img === undefined && item.dg?.S !== undefined)
      return {
        ...scan,
        spill: { digest: item.dg.S, parts: Number(item.ip?.N ?? 1), encoding: item.ed?.S },
      };
    return { ...scan, image: (item.img?.M ?? {}) as Image };
  }
  return { by: 'stream', live: live ?? { seq: '', first: 'full' } };
}

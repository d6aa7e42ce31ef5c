import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Image } from '../decode/index.ts';
import type { Claim, LiveFrom, RecordDecision } from './claim.ts';

/**
 * The claim-table key of a source item in one version: the version's key prefix and the item's key attributes
 * (sorted by name, type-tagged), so every key schema maps injectively.
 *
 * @example
 * ```ts
 * claimKey('store.v2', { id: { S: 'o-1' } }); // 'store.v2#[["id","S","o-1"]]'
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
  return `${versionPrefix}#${JSON.stringify(parts)}`;
}

/**
 * A claim as a claim-table item.
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
    item.img = { M: claim.image as Record<string, AttributeValue> };
  }
  if (claim.live !== undefined) {
    item.lseq = { S: claim.live.seq };
    item.lfirst = { S: claim.live.first };
  }
  return item;
}

/**
 * A claim-table item as a claim (undefined for no item).
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
    return {
      by: 'scan',
      segment: Number(item.seg?.N ?? -1),
      chunk: Number(item.chunk?.N ?? -1),
      image: (item.img?.M ?? {}) as Image,
      live,
    };
  }
  return { by: 'stream', live: live ?? { seq: '', first: 'full' } };
}

import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import type { Image } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { Claim, ImageSpill } from './claim.ts';
import { claimFromItem, claimToItem } from './claim-item.ts';
import { imageDigest } from './image-digest.ts';
import { decodeImage, encodingDigest, imagePartKey, partsName, spillClaim } from './image-parts.ts';

/**
 * The conditional `PutItem` of a claim: the first claim of an item only if it has none; a later one (a scan
 * claim becoming live) only if the item still holds the unconverted scan claim that was read. The claim is
 * written as given: one too large for an item goes through `spillClaim` first ({@link putClaim} does).
 *
 * @example
 * ```ts
 * putClaimParams('claims', pk, { by: 'stream', live: { seq, first: 'new' } }, undefined, ttl);
 * ```
 */
export function putClaimParams(
  table: string,
  pk: string,
  claim: Claim,
  expected: Claim | undefined,
  ttlSeconds: number,
): PutItemCommandInput {
  const base = { TableName: table, Item: claimToItem(pk, claim, ttlSeconds) };
  if (expected === undefined) return { ...base, ConditionExpression: 'attribute_not_exists(pk)' };
  return {
    ...base,
    ConditionExpression: '#by = :by AND attribute_not_exists(lseq)',
    ExpressionAttributeNames: { '#by': 'by' },
    ExpressionAttributeValues: { ':by': { S: expected.by } },
  };
}

/**
 * Writes a claim conditionally; resolves to the claim now stored when the condition failed (another side
 * claimed first), or undefined when this one was written. A scan claim too large for one item (with the
 * fields a live conversion adds) is spilled: its image's parts are written first, then the claim with the
 * image's digest (`spillClaim`), so no claim write can pass 400 KB.
 *
 * @example
 * ```ts
 * const other = await putClaim(client, 'claims', pk, claim, undefined, ttl);
 * if (other !== undefined) decideAgainst(other);
 * ```
 */
export async function putClaim(
  client: DynamoDBClient,
  table: string,
  pk: string,
  claim: Claim,
  expected: Claim | undefined,
  ttlSeconds: number,
): Promise<{ written: true } | { written: false; current: Claim | undefined }> {
  const { claim: stored, parts } = spillClaim(pk, claim, ttlSeconds);
  await putImageParts(client, table, parts);
  try {
    await withRetry(() =>
      client.send(
        new PutItemCommand({
          ...putClaimParams(table, pk, stored, expected, ttlSeconds),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return { written: true };
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    return { written: false, current: claimFromItem(e.Item as Record<string, AttributeValue> | undefined) };
  }
}

/**
 * Reads the claims of some items (strongly consistent `BatchGetItem`, 100 keys a request, unprocessed keys
 * retried).
 *
 * @example
 * ```ts
 * const claims = await readClaims(client, 'claims', pks); // Map pk → claim (absent: no claim)
 * ```
 */
export async function readClaims(
  client: DynamoDBClient,
  table: string,
  pks: readonly string[],
): Promise<Map<string, Claim>> {
  const out = new Map<string, Claim>();
  const unique = [...new Set(pks)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, AttributeValue>[] = unique.slice(i, i + 100).map((pk) => ({ pk: { S: pk } }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      const res = await withRetry(() =>
        client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
        ),
      );
      for (const item of res.Responses?.[table] ?? []) {
        const claim = claimFromItem(item);
        if (claim !== undefined && item.pk?.S !== undefined) out.set(item.pk.S, claim);
      }
      keys = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, AttributeValue>[];
      if (keys.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    }
  }
  return out;
}

/**
 * Writes the parts of spilled claim images (`spillClaim`), one `PutItem` each (`concurrency` in flight, default
 * 8). Unconditional: a part's key names its claim and the digest of the parts' own bytes, so writing it again
 * writes the same bytes.
 *
 * @example
 * ```ts
 * const { claim: stored, parts } = spillClaim(pk, claim, ttlSeconds);
 * await putImageParts(client, 'claims', parts); // before the claim that names them
 * ```
 */
export async function putImageParts(
  client: DynamoDBClient,
  table: string,
  parts: readonly Record<string, AttributeValue>[],
  concurrency = 8,
): Promise<void> {
  await mapLimit(parts, concurrency, async (Item) => {
    await withRetry(() => client.send(new PutItemCommand({ TableName: table, Item })));
  });
}

/**
 * The image a spilled scan claim counted, read back from its parts (strongly consistent) and checked against
 * the claim's digest.
 *
 * @throws {DynotallyError} `BACKFILL_REFUSED` when a part is missing or the parts do not give the claim's image
 *   (parts are written before their claim, with its TTL of 30 days, and a backfill ends within 28 days of its
 *   version's registration: deleted by hand?).
 * @example
 * ```ts
 * const image = 'image' in claim ? claim.image : await readClaimImage(client, 'claims', pk, claim.spill);
 * ```
 */
export async function readClaimImage(
  client: DynamoDBClient,
  table: string,
  pk: string,
  spill: ImageSpill,
): Promise<Image> {
  const bytes: Uint8Array[] = [];
  for (let n = 0; n < spill.parts; n++) {
    const key = imagePartKey(pk, partsName(spill), n);
    const out = await withRetry(() =>
      client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key } }, ConsistentRead: true })),
    );
    const part = out.Item?.part?.B;
    if (part === undefined) throw lostImage(pk, `part ${n} of ${spill.parts} (${key}) is missing`);
    bytes.push(part);
  }
  if (spill.encoding !== undefined && encodingDigest(bytes) !== spill.encoding)
    throw lostImage(pk, 'its parts are not the bytes it names');
  let image: Image;
  try {
    image = decodeImage(bytes);
  } catch {
    throw lostImage(pk, 'its parts do not decode');
  }
  if (imageDigest(image) !== spill.digest) throw lostImage(pk, 'its parts do not give the image it names');
  return image;
}

function lostImage(pk: string, what: string): DynotallyError {
  return new DynotallyError(
    'BACKFILL_REFUSED',
    `the scan claim of ${pk} holds its image in parts, and ${what}: the chunk cannot be counted again. Rebuild the rollup as a new version (dynotally verify <rollup> --repair)`,
    { details: { claim: pk } },
  );
}

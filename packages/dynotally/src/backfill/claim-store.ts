import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import type { Claim } from './claim.ts';
import { claimFromItem, claimToItem } from './claim-item.ts';

/**
 * The conditional `PutItem` of a claim: the first claim of an item only if it has none; a later one (a scan
 * claim becoming live) only if the item still holds the unconverted scan claim that was read.
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
 * claimed first), or undefined when this one was written.
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
  try {
    await withRetry(() =>
      client.send(
        new PutItemCommand({
          ...putClaimParams(table, pk, claim, expected, ttlSeconds),
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

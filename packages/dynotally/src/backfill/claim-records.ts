import type { DynamoDBClient, AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mapLimit } from '../apply/map-limit.ts';
import type { Image } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { type Claim, decideItem, type ItemRecord, type RecordDecision, sameProjection } from './claim.ts';
import { claimKey } from './claim-item.ts';
import { putClaim, readClaims } from './claim-store.ts';
import { decidedRecord } from './decided-records.ts';

/**
 * A version whose stream records go through claims: its key prefix, the attributes it reads, and (once its
 * backfill ended) the end of the claim window, after which records count in full without a claim.
 *
 * @example
 * ```ts
 * const v: ClaimedVersion = { prefix: 'store.v2', reads: ['storeId', 'ts'], windowEndMs: undefined };
 * ```
 */
export interface ClaimedVersion {
  readonly prefix: string;
  readonly reads: readonly string[] | undefined;
  /** Backfill end + margin (ms); records created after it need no claim. Undefined while the backfill runs. */
  readonly windowEndMs: number | undefined;
}

/** Options of {@link claimRecords}. */
export interface ClaimRecordsOptions {
  /** When claims expire (epoch seconds). */
  ttlSeconds: number;
  /** Parallel claim writes (default 16). */
  concurrency?: number;
  /**
   * For a caller to whom an item without a stored claim no longer means an item never counted (a dead letter
   * replayed once the claims it needs may have expired): the error to throw, before anything is written, for an
   * item with a record in the claim window and no claim. Unset, such an item is claimed by its first record.
   */
  missingClaim?: (pk: string) => Error;
}

const pad = (seq: string) => seq.padStart(40, '0');

/**
 * The stream side of the hand-off for one version: reads the claims of the batch's items, decides per item how
 * each record counts ({@link decideItem}), writes the claims that change (conditionally; a claim the scan wrote
 * meanwhile is read back and the item decided again), and returns the records the version must fold, in batch
 * order. Claims are durable before anything is folded, and decisions only depend on stored claims, so a
 * redelivered batch folds the same records and the row watermarks absorb it.
 *
 * @example
 * ```ts
 * const folded = await claimRecords(client, 'claims', version, records, { ttlSeconds });
 * await versionApplier.apply({ records: folded, shardId });
 * ```
 */
export async function claimRecords(
  client: DynamoDBClient,
  table: string,
  version: ClaimedVersion,
  records: readonly DynamoDBRecord[],
  options: ClaimRecordsOptions,
): Promise<DynamoDBRecord[]> {
  const byItem = new Map<string, number[]>();
  const items: ItemRecord[] = [];
  records.forEach((r, i) => {
    const d = r.dynamodb;
    if (d?.Keys === undefined || d.SequenceNumber === undefined) {
      throw new DynotallyError(
        'RECORD_MALFORMED',
        'a stream record has no Keys or SequenceNumber, which the backfill hand-off needs',
        { details: { eventID: r.eventID } },
      );
    }
    const pk = claimKey(version.prefix, d.Keys as Record<string, SdkAttributeValue>);
    byItem.set(pk, [...(byItem.get(pk) ?? []), i]);
    const ms = (d.ApproximateCreationDateTime ?? 0) * 1000;
    items.push({
      seq: pad(d.SequenceNumber),
      oldImage: d.OldImage as Image | undefined,
      newImage: d.NewImage as Image | undefined,
      afterWindow: version.windowEndMs !== undefined && ms > version.windowEndMs,
    });
  });
  const decisions: RecordDecision[] = new Array(records.length).fill('skip');
  const same = sameProjection(version.reads);
  const claimed = await readClaims(client, table, [...byItem.keys()]);
  await mapLimit([...byItem.entries()], options.concurrency ?? 16, async ([pk, idx]) => {
    const recs = idx.map((i) => items[i] as ItemRecord);
    let stored: Claim | undefined = claimed.get(pk);
    if (
      stored === undefined &&
      options.missingClaim !== undefined &&
      recs.some((r) => r.afterWindow !== true)
    )
      throw options.missingClaim(pk);
    for (let attempt = 0; ; attempt++) {
      const d = decideItem(stored, recs, same);
      if (d.changed) {
        const put = await putClaim(client, table, pk, d.claim as Claim, stored, options.ttlSeconds);
        if (!put.written) {
          if (attempt >= 5)
            throw new DynotallyError('APPLY_FAILED', `the claim of ${pk} kept changing under the stream`, {
              details: { claim: pk },
            });
          stored = put.current;
          continue;
        }
      }
      idx.forEach((i, k) => {
        decisions[i] = d.decisions[k] as RecordDecision;
      });
      return;
    }
  });
  const out: DynamoDBRecord[] = [];
  records.forEach((r, i) => {
    const folded = decidedRecord(r, decisions[i] as RecordDecision);
    if (folded !== undefined) out.push(folded);
  });
  return out;
}

import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { projectImage } from '../backfill/claim.ts';
import { scanRecord } from '../backfill/decided-records.ts';
import { hasScannedTime } from '../backfill/scanned-time.ts';
import type { Image } from '../decode/index.ts';
import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { beats, type Extremum, Folder, foldBatch } from '../fold/index.ts';
import { addNum, type Num } from '../numbers/index.ts';
import { segmentConcurrencyOf } from '../scan/segment-concurrency.ts';
import type { UncountableSource } from './verify-options.ts';

/**
 * One aggregate row as the source says it should be: the summed counts and sums of the current items, and
 * the min / max / last among them.
 *
 * @example
 * ```ts
 * expected.get(rowKey('store#ss-1', 'M2026-11'))?.sums.get('orders_3'); // 12
 * ```
 */
export interface ExpectedRow {
  readonly pk: string;
  readonly sk: string;
  readonly kind: CompiledRowKind;
  readonly bucketEnd: number;
  readonly sums: Map<string, Num>;
  /** The min / max / last values, made on the row's first one (most rollups have none: no Map a row for them). */
  extrema: Map<string, Extremum> | undefined;
}

/** Uncountable items listed in a report (the rest are only counted). */
const MAX_LISTED = 100;

/** An item's key attributes (the whole item when the key's names are not known). */
function keyOf(
  item: Record<string, AttributeValue>,
  names: readonly string[] | undefined,
): Record<string, AttributeValue> {
  if (names === undefined) return item;
  return Object.fromEntries(names.flatMap((n) => (item[n] === undefined ? [] : [[n, item[n]]])));
}

/** The key of a row in the maps verify compares. */
export const rowKey = (pk: string, sk: string): string => `${pk}\u0000${sk}`;

/**
 * Recomputes a version's rows from the source table: a consistent parallel Scan (`segmentConcurrency` segments
 * at a time) whose items are folded as inserts by the same fold code the stream uses (so the same groups,
 * buckets, filters and packing), keeping
 * only the rows of the groups `selected` accepts. Items without the rollup's time attribute are not folded (their
 * event time is the stream record's, which a scan cannot know), as a backfill skips them: they are counted in
 * `untimed`, and the selected groups they belong to returned in `untimedGroups`, whose counts and sums the stream
 * placed in buckets no scan can name (`compareRows` leaves them unverified). Items whose values the
 * fold refuses (dead-lettered by the stream and a backfill) count nowhere and are returned in `uncountable`
 * (by key: `keyNames`; the first 100, whatever group they would be in) and `uncountableTotal`.
 *
 * @example
 * ```ts
 * const { rows } = await expectedRows(client, 'orders', version, (pk) => inSample(pk, 0.01), {
 *   segments: 4,
 *   segmentConcurrency: 8,
 *   nowSeconds: Math.floor(Date.now() / 1000),
 * });
 * ```
 */
export async function expectedRows(
  client: DynamoDBClient,
  source: string,
  version: CompiledRollup,
  selected: (pk: string) => boolean,
  options: {
    segments: number;
    /** Segments scanned at once (default 8; the others wait their turn, in order). */
    segmentConcurrency?: number | undefined;
    nowSeconds: number;
    signal?: AbortSignal | undefined;
    /** The source's key attributes: an uncountable item is reported by its key. */
    keyNames?: readonly string[] | undefined;
    /** Called after each page folded: source items read so far, rows recomputed, segments done of all, read units. */
    onPage?:
      | ((read: { items: number; rows: number; done: number; of: number; readUnits: number }) => void)
      | undefined;
  },
): Promise<{
  rows: Map<string, ExpectedRow>;
  items: number;
  readUnits: number;
  uncountable: UncountableSource[];
  uncountableTotal: number;
  untimed: number;
  untimedGroups: Set<string>;
}> {
  const rows = new Map<string, ExpectedRow>();
  const untimedGroups = new Set<string>();
  let untimed = 0;
  const untimedFolder = new Folder([version]);
  const uncountable: UncountableSource[] = [];
  let uncountableTotal = 0;
  let items = 0;
  let readUnits = 0;
  let done = 0;
  const scanSegment = async (segment: number, _: number, failed: () => boolean) => {
    let start: Record<string, AttributeValue> | undefined;
    let page = 0;
    do {
      if (options.signal?.aborted) throw options.signal.reason;
      if (failed()) return; // another segment failed: the verify fails with its error, nothing more is read
      const out = await withRetry(() =>
        client.send(
          new ScanCommand({
            TableName: source,
            Segment: segment,
            TotalSegments: options.segments,
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      readUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      const found = out.Items ?? [];
      items += found.length;
      const records = [];
      const untimedRecords = [];
      const recordItems: Array<Record<string, AttributeValue>> = [];
      for (const [index, item] of found.entries()) {
        if (!hasScannedTime(version, item)) {
          // folded at the scan's clock only to learn its group: the stream placed it at its record's time
          const image = projectImage(item as Image, version.reads);
          untimedRecords.push(
            scanRecord(image, { source: 'verify', chunk: page, index, timeSeconds: options.nowSeconds }),
          );
          continue;
        }
        recordItems.push(item);
        const image = projectImage(item as Image, version.reads);
        records.push(
          scanRecord(image, { source: 'verify', chunk: page, index, timeSeconds: options.nowSeconds }),
        );
      }
      // poison items are skipped as the stream dead-letters them: they count nowhere, and are reported
      for (const record of untimedRecords) {
        const rowsOf = foldBatch([version], [record], { folder: untimedFolder }).coalescer.rowList();
        if (rowsOf.length === 0) continue; // not a member (outside match, no group, no measure) or uncountable
        untimed++;
        for (const acc of rowsOf) if (selected(acc.pk)) untimedGroups.add(acc.pk);
      }
      const fold = foldBatch([version], records);
      for (const p of fold.poison) {
        uncountableTotal++;
        const item = recordItems[p.index];
        if (uncountable.length < MAX_LISTED)
          uncountable.push({
            code: p.error.code,
            reason: p.error.message,
            item: item === undefined ? undefined : keyOf(item, options.keyNames),
          });
      }
      for (const acc of fold.coalescer.rowList()) {
        if (!selected(acc.pk)) continue;
        const key = rowKey(acc.pk, acc.sk);
        let row = rows.get(key);
        if (row === undefined) {
          row = {
            pk: acc.pk,
            sk: acc.sk,
            kind: acc.kind,
            bucketEnd: acc.bucketEnd,
            sums: new Map(),
            extrema: new Map(),
          };
          rows.set(key, row);
        }
        for (let i = 0; i < acc.attrs.length; i++) {
          const attr = acc.attrs[i] as string;
          const cur = row.sums.get(attr);
          row.sums.set(attr, cur === undefined ? (acc.deltas[i] as Num) : addNum(cur, acc.deltas[i] as Num));
        }
        if (acc.extrema !== undefined && acc.extrema.size > 0) {
          const extrema = row.extrema ?? new Map<string, Extremum>();
          row.extrema = extrema;
          for (const [attr, e] of acc.extrema) {
            const cur = extrema.get(attr);
            if (cur === undefined || beats(e.op, e.value, e.time, cur)) extrema.set(attr, { ...e });
          }
        }
      }
      start = out.LastEvaluatedKey;
      page++;
      if (start === undefined) done++;
      options.onPage?.({ items, rows: rows.size, done, of: options.segments, readUnits });
    } while (start !== undefined);
  };
  await mapLimit(
    Array.from({ length: options.segments }, (_, s) => s),
    segmentConcurrencyOf(options.segmentConcurrency),
    scanSegment,
  );
  return { rows, items, readUnits, uncountable, uncountableTotal, untimed, untimedGroups };
}

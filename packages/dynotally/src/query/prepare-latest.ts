import { mapLimit } from '../apply/map-limit.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { beats } from '../fold/index.ts';
import { explodeRow } from '../layout/explode-row.ts';
import type { RetentionHistory } from '../retention/index.ts';
import { type ClientContext, type Prepared, type ReadOptions, readCost } from './client-context.ts';
import { emptyStats, type Item, indexItems, rowKey, runBatchGet, runQuery } from './fetch.ts';
import { readScalar, type Scalar, toMeasureValue } from './measure-value.ts';
import { type LatestRead, latestScanParams, planLatest } from './plan-latest.ts';
import { batchGetParams, type ReadRequest } from './request-params.ts';
import type { Explanation, LatestResult, LatestValue } from './results.ts';
import { retainedFrom, timeContext } from './retention.ts';
import { findRollup, groupKey, onlyKeysOf, type RollupRef } from './validate.ts';
import { zonedIso } from './zoned-iso.ts';

/**
 * Rows of the first page when `latest` reads a row kind newest first (the newest rows nearly always hold the
 * value), and how much larger each further page asks for: a value behind many rows without it (a rare event of a
 * busy group) is still found, in a few requests, since the read goes on until a value or the kind's oldest row.
 */
const SCAN_PAGE = 12;
const PAGE_GROWTH = 8;
/** DynamoDB returns at most 1 MB a page whatever the limit; past this, pages are not limited by count. */
const MAX_PAGE_ROWS = 1000;

/** The `Limit` of the page after `page` pages: 96, 768, then 1 MB pages. */
function nextPage(page: number): { Limit: number | undefined } {
  const rows = SCAN_PAGE * PAGE_GROWTH ** page;
  return { Limit: rows > MAX_PAGE_ROWS ? undefined : rows };
}

/**
 * Options of `latest`.
 *
 * @example
 * ```ts
 * const o: LatestOptions<'power'> = { measures: ['power'] };
 * ```
 */
export interface LatestOptions<M extends string = string> extends ReadOptions {
  /** `last` measures to read (default: all of the rollup's). */
  readonly measures?: readonly M[];
}

interface Candidate {
  value: Scalar;
  time: number;
  granularity: string;
  bucket: string;
}

function offer(best: Candidate | undefined, c: Candidate): Candidate {
  return best === undefined || beats('last', c.value, c.time, best) ? c : best;
}

/**
 * Prepares `latest`: the `ALL` row by key for measures kept all-time, newest-first row reads otherwise.
 * `last` values are never buffered (they are written to DynamoDB directly), so no live source is read.
 *
 * @example
 * ```ts
 * const { values } = await prepareLatest(ctx, energy, { deviceId: 'm-7' }).run();
 * ```
 */
export function prepareLatest(
  ctx: ClientContext,
  rollup: RollupRef,
  group: unknown,
  options: LatestOptions = {},
): Prepared<LatestResult<string>, Explanation> {
  const c = findRollup(ctx.registry, rollup);
  const key = groupKey(c, group);
  const consistent = options?.consistent === true; // `null` options are no options
  onlyKeysOf(options, ['measures', 'consistent'], 'the latest() options');
  const reads = planLatest(c, options?.measures);
  const keyed = reads.filter((r): r is Extract<LatestRead, { mode: 'key' }> => r.mode === 'key');
  const scans = [...new Set(reads.flatMap((r) => (r.mode === 'scan' ? [r.prefix] : [])))];
  const kept = keptFrom(c, reads, ctx.now(), ctx.histories.get(c));
  const attrs = keyed.flatMap((r) => [r.cell.attr, r.cell.timeAttr as string]);
  const batch =
    keyed.length === 0 ? [] : batchGetParams(ctx.table, [{ pk: key.pk, sk: 'ALL', attrs }], consistent);
  const requests: ReadRequest[] = [
    ...batch.map((input) => ({ command: 'BatchGetItem' as const, input })),
    ...scans.map((prefix) => ({
      command: 'Query' as const,
      input: latestScanParams(ctx.table, key.pk, prefix, consistent, SCAN_PAGE, kept.rows.get(prefix)),
    })),
  ];
  return {
    explain: () => ({
      call: 'latest',
      window: undefined,
      computedFrom: reads.map((r) => ({
        granularity: r.granularity.id,
        buckets: r.mode === 'key' ? 1 : 0,
        first: r.mode === 'key' ? 'ALL' : '',
        last: r.mode === 'key' ? 'ALL' : '',
        measures: [r.measure.name],
        rowKind: r.mode === 'key' ? 'all' : r.kind.row.id,
      })),
      rows: keyed.length === 0 ? [] : [{ pk: key.pk, sk: 'ALL', attributes: attrs }],
      requests,
      estimatedReadUnits: (batch.length + scans.length) * (consistent ? 1 : 0.5),
      omitted: [],
      notes:
        scans.length === 0
          ? ['one row by key']
          : [
              `rows of kind ${scans.join(', ')} are read newest first (${SCAN_PAGE} in the first page, larger pages after it) until one holds a value, back to the first bucket the rollup's retention still keeps`,
            ],
    }),
    run: async () => {
      const stats = emptyStats();
      const items: Item[] = [];
      for (const input of batch) items.push(...(await runBatchGet(ctx.client, input, stats)));
      const rows = indexItems(items);
      const scanned = new Map<string, Item[]>();
      await mapLimit(scans, ctx.concurrency, async (prefix) => {
        // the measures still without a value; each page's new rows are looked at once
        let missing = reads.filter((r) => r.mode === 'scan' && r.prefix === prefix);
        let seen = 0;
        const got = await runQuery(
          ctx.client,
          latestScanParams(ctx.table, key.pk, prefix, consistent, SCAN_PAGE, kept.rows.get(prefix)),
          stats,
          (list) => {
            const fresh = list.slice(seen);
            seen = list.length;
            missing = missing.filter((r) => !fresh.some((it) => cellsOf(c, r, it, kept).length > 0));
            return missing.length === 0;
          },
          nextPage,
        );
        scanned.set(prefix, got);
      });
      const values: Record<string, LatestValue | null> = {};
      for (const r of reads) {
        let best: Candidate | undefined;
        if (r.mode === 'key') {
          const item = rows.get(rowKey(key.pk, 'ALL'));
          const v = readScalar(item?.[r.cell.attr]);
          const t = item?.[r.cell.timeAttr as string]?.N;
          if (v !== undefined && t !== undefined)
            best = { value: v, time: Number(t), granularity: 'all', bucket: 'ALL' };
        } else {
          for (const it of scanned.get(r.prefix) ?? []) {
            const cells = cellsOf(c, r, it, kept);
            for (const cell of cells) best = offer(best, cell);
            if (cells.length > 0) break;
          }
        }
        values[r.measure.name] =
          best === undefined
            ? null
            : {
                value: toMeasureValue(r.measure, best.value) as LatestValue['value'], // a present value: not null
                time: best.time,
                iso: zonedIso(c.calendar, best.time),
                granularity: best.granularity,
                bucket: best.bucket,
              };
      }
      return { values, ...readCost(stats) };
    },
  };
}

/**
 * What `latest` may read under the rollup's retention (a bucket past it is never used, even before DynamoDB has
 * deleted its row): per granularity, the label of its first bucket still kept; per scanned row kind, the label of
 * the row holding the earliest of those (absent when a granularity of that kind is kept forever). So a group
 * without a value reads its kept rows, not its whole history.
 */
interface Kept {
  readonly buckets: ReadonlyMap<string, string>;
  readonly rows: ReadonlyMap<string, string>;
}

function keptFrom(
  c: CompiledRollup,
  reads: readonly LatestRead[],
  now: number,
  history: RetentionHistory | undefined,
): Kept {
  const time = timeContext(c, now, history);
  const buckets = new Map<string, string>();
  const rows = new Map<string, string>();
  const unbounded = new Set<string>();
  for (const r of reads) {
    if (r.mode !== 'scan') continue;
    const from = retainedFrom(time, r.granularity);
    if (from === Number.NEGATIVE_INFINITY) {
      unbounded.add(r.prefix);
      continue;
    }
    buckets.set(r.granularity.id, c.calendar.bucket(r.granularity, from).label);
    const row = c.calendar.bucket(r.kind.row, from).label;
    const earlier = rows.get(r.prefix);
    if (earlier === undefined || row < earlier) rows.set(r.prefix, row);
  }
  for (const prefix of unbounded) rows.delete(prefix);
  return { buckets, rows };
}

function cellsOf(c: CompiledRollup, r: LatestRead, item: Item, kept: Kept): Candidate[] {
  const sk = item.sk?.S;
  if (sk === undefined) return [];
  const first = kept.buckets.get(r.granularity.id);
  const out: Candidate[] = [];
  for (const { ref, value } of explodeRow(c, sk, item)) {
    if (ref.measure !== r.measure.name || ref.granularity !== r.granularity.id) continue;
    if (first !== undefined && ref.bucket < first) continue; // past its retention
    const v = readScalar(value);
    const t = item[`${ref.attr}_t`]?.N;
    if (v !== undefined && t !== undefined)
      out.push({ value: v, time: Number(t), granularity: ref.granularity, bucket: ref.bucket });
  }
  return out;
}

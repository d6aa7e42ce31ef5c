import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { EXCLUSIONS_ATTR, transactionalWatermarkKey } from './transactional-watermark.ts';
import { retrying } from './write-extrema.ts';

/**
 * A record of a shard the store refused for good (a sum it cannot hold, a row over 400 KB), found while the batch
 * was written: it becomes a dead letter, is taken back from the rows it reached, and must never be counted in a
 * transactional row, whatever later deliveries find. `rows` are the row keys (`pk\u0000sk`) that refused it.
 */
export interface Exclusion {
  readonly seq: string;
  readonly rows: readonly string[];
  readonly tooLarge: boolean;
}

/**
 * Records an exclusion durably on the watermark items of the given rollups (a string-set entry each), before
 * anything after the record is written: a redelivery then finds it even where the row that refused it has moved
 * past it. Entries leave a watermark item when a transaction moves it past their record.
 *
 * @example
 * ```ts
 * await recordExclusion({ seq, rows: ['amounts#sbig\u0000ALL'], tooLarge: false }, ['amounts', 'kinds'], ctx);
 * ```
 */
export async function recordExclusion(
  exclusion: Exclusion,
  rollups: readonly string[],
  ctx: {
    client: DynamoDBClient;
    table: string;
    now: number;
    report: ApplyReport;
    retry?: RetryOptions;
    source: string;
    shardId: string;
  },
): Promise<void> {
  const entry = JSON.stringify({ s: exclusion.seq, r: exclusion.rows, t: exclusion.tooLarge ? 1 : 0 });
  for (const rollup of rollups) {
    const out = await withRetry(
      () =>
        ctx.client.send(
          new UpdateItemCommand({
            TableName: ctx.table,
            Key: transactionalWatermarkKey(ctx.source, ctx.shardId, rollup),
            UpdateExpression: 'ADD #ex :e SET #u = :u',
            ExpressionAttributeNames: { '#ex': EXCLUSIONS_ATTR, '#u': 'updatedAt' },
            ExpressionAttributeValues: { ':e': { SS: [entry] }, ':u': { N: String(ctx.now) } },
            ReturnConsumedCapacity: 'INDEXES',
          }),
        ),
      retrying(ctx),
    );
    ctx.report.requests++;
    ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
  }
}

/**
 * The exclusions stored on watermark items, merged by record (the rows of every entry of a record together).
 *
 * @example
 * ```ts
 * decodeExclusions(['{"s":"000…42","r":["amounts#sbig\u0000ALL"],"t":0}']).get('000…42')?.rows; // ['amounts#sbig\u0000ALL']
 * ```
 */
export function decodeExclusions(entries: Iterable<string>): Map<string, Exclusion> {
  const out = new Map<string, { seq: string; rows: Set<string>; tooLarge: boolean }>();
  for (const raw of entries) {
    let e: { s?: unknown; r?: unknown; t?: unknown };
    try {
      e = JSON.parse(raw) as typeof e;
    } catch {
      continue; // not ours
    }
    if (typeof e.s !== 'string') continue;
    const x = out.get(e.s) ?? { seq: e.s, rows: new Set<string>(), tooLarge: false };
    for (const r of Array.isArray(e.r) ? e.r : []) if (typeof r === 'string') x.rows.add(r);
    x.tooLarge ||= e.t === 1;
    out.set(e.s, x);
  }
  return new Map([...out].map(([s, x]) => [s, { seq: x.seq, rows: [...x.rows], tooLarge: x.tooLarge }]));
}

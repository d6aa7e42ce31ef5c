// What the fold bench builds for each planned row: the request the library would send for it.

import { rowStateFor, shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import type { RowWrite } from '../../packages/dynotally/src/plan/index.ts';
import { rowInsertStatement, rowUpdateParams } from '../../packages/dynotally/src/plan/index.ts';

/**
 * The requests the fold bench builds:
 * - `partiql` (the library's default write path, `writeRowsBatched`): for a row it has not seen, a PartiQL
 *   `INSERT` carrying the shard's row watermark (exactly-once, row-watermark strategy);
 * - `updateitem`: the `UpdateItem` input without a watermark (the figure measured before this option existed).
 */
export type FoldBenchRequests = 'partiql' | 'updateitem';

/** The request kinds, for checking a command-line value. */
export const FOLD_BENCH_REQUESTS: readonly FoldBenchRequests[] = ['partiql', 'updateitem'];

/** The stream the bench's records come from (any ARN: it only names the shard's state attribute). */
const SOURCE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/source/stream/2026-10-24T00:00:00.000';

/**
 * A builder of one row's request, as the write path builds it for a row never seen: the `INSERT` of
 * `writeRowsBatched` (`statementOf` for shape `insert`) with the shard's state of `rowStateFor` (what the row
 * watermark sets; no finished ancestors), or the plain `UpdateItem` input.
 *
 * @example
 * ```ts
 * const build = requestBuilder('partiql', 'shardId-1', { table: 'aggregates', now: Date.now() });
 * for (const w of plan.rows) build(w);
 * ```
 */
export function requestBuilder(
  requests: FoldBenchRequests,
  shardId: string,
  options: { table: string; now: number },
): (w: RowWrite) => unknown {
  const { table, now } = options;
  if (requests === 'updateitem') return (w) => rowUpdateParams(table, w, { now });
  const attrs = shardStateAttrs(SOURCE, shardId);
  return (w) =>
    rowInsertStatement(table, w, { now, watermark: rowStateFor(attrs, w.lastSeq, w.lastApproxMs) });
}

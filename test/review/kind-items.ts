// Source items counted by {@link callbackKinds}: three of them backfilled, one moved to another kind by the
// stream side, and the counts per kind.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BackfillReport } from '../../packages/dynotally/src/backfill/index.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { modifyRecord } from '../backfill/modify-record.ts';
import { scanTable } from '../support/ddb.ts';
import { callbackKinds } from './callback-kinds.ts';

const T0 = Date.UTC(2026, 10, 1);

/**
 * Item `k-<i>` of kind `kind`, at 1 November 2026 + `i` ms, with `extra` attributes.
 *
 * @example
 * ```ts
 * kindItem(1, 'k', { deep: { M: {} } });
 * ```
 */
export const kindItem = (i: number, kind: string, extra: Record<string, AttributeValue> = {}) => ({
  id: { S: `k-${i}` },
  kind: { S: kind },
  t: { N: String(T0 + i) },
  ...extra,
});

/** The count of kind `kind` in the rollup's rows of `table`. */
export async function kindCount(
  client: DynamoDBClient,
  table: string,
  kind: string,
): Promise<string | undefined> {
  const rows = await scanTable(client, table);
  return rows.find((r) => r.pk?.S === `kinds#s${kind}`)?.n?.N;
}

/**
 * Builds tables (prefix `prefix`) with items 0, 1 and 2 of kind k, item 1 with the `extra` attributes, and backfills
 * {@link callbackKinds} over them in one segment; returns the tables and the backfill's report.
 *
 * @example
 * ```ts
 * const { t, report } = await backfillThreeKinds(clients.ddb, 's19-nested', { deep });
 * expect(report.complete).toBe(true);
 * ```
 */
export async function backfillThreeKinds(
  client: DynamoDBClient,
  prefix: string,
  extra: Record<string, AttributeValue>,
): Promise<{ t: { source: string; table: string; claimTable: string }; report: BackfillReport }> {
  const t = await buildingTables(
    client,
    prefix,
    [kindItem(0, 'k'), kindItem(1, 'k', extra), kindItem(2, 'k')],
    callbackKinds.compiled,
  );
  const report = await runBackfill({
    ...t,
    client,
    rollup: callbackKinds,
    segments: 1,
    chunkItems: 10,
    settleMs: 0,
  });
  return { t, report };
}

/**
 * The stream side moves item 1 (with the `extra` attributes) from kind k to kind j: its MODIFY is delivered twice,
 * as a batch refused is delivered again (a refusal of the first delivery is ignored, of the second thrown).
 *
 * @example
 * ```ts
 * await deliverKindChangeTwice(clients.ddb, t, { deep });
 * expect(await kindCount(clients.ddb, t.table, 'j')).toBe('1');
 * ```
 */
export async function deliverKindChangeTwice(
  client: DynamoDBClient,
  t: { table: string; claimTable: string },
  extra: Record<string, AttributeValue>,
): Promise<void> {
  const side = createVersionedWriteSide({
    client,
    table: t.table,
    claimTable: t.claimTable,
    rollups: [callbackKinds],
  });
  const record = modifyRecord(kindItem(1, 'k', extra), kindItem(1, 'j', extra), Date.now());
  const apply = () => side.apply({ records: [record], shardId: 'shard-1' });
  await apply().catch(() => undefined);
  await apply();
}

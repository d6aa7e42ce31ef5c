// Source items counted by {@link callbackKinds}, a backfill of three of them, and the counts per kind it leaves.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BackfillReport } from '../../packages/dynotally/src/backfill/index.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
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

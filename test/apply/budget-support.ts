// Shared by the state-budget tests: 'all'-granularity rollups over hand-made INSERT records, and the table read
// back as counter cells and marks.
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Applier, type RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { registerVersionParams } from '../../packages/dynotally/src/versions/control-params.ts';
import { rebuildFingerprint } from '../../packages/dynotally/src/versions/rebuild.ts';
import { scanTable } from '../support/ddb.ts';

/**
 * An 'all'-granularity rollup of the records' `t`, counting them (and summing `amount` with `withSum`).
 *
 * @example
 * ```ts
 * const kinds = allTimeRollup('kinds', 'kind', false);
 * ```
 */
export const allTimeRollup = (name: string, groupBy: string, withSum: boolean) =>
  defineRollup({
    name,
    groupBy,
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['all'],
    measures: withSum ? { n: count(), total: sum('amount') } : { n: count() },
  });

/**
 * The `n` and `total` cells of every row (`<pk>|n`), the shards' own items left out.
 *
 * @example
 * ```ts
 * expect(await counterCells(client, table)).toEqual({ 'kinds#sk|n': '3' });
 * ```
 */
export async function counterCells(client: DynamoDBClient, table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of await scanTable(client, table)) {
    if (item.pk?.S?.startsWith('~')) continue;
    for (const a of ['n', 'total'])
      if (item[a]?.N !== undefined) out[`${item.pk?.S}|${a}`] = item[a]?.N as string;
  }
  return out;
}

/**
 * True when the row with this partition key is marked transactional.
 *
 * @example
 * ```ts
 * expect(await isMarked(client, table, 'kinds#sk')).toBe(true);
 * ```
 */
export async function isMarked(client: DynamoDBClient, table: string, pk: string): Promise<boolean> {
  return (await scanTable(client, table)).find((i) => i.pk?.S === pk)?.['~tx'] !== undefined;
}

/**
 * Registers version 2 of a rollup as building (a backfill to come): from here the stream writes both versions.
 *
 * @example
 * ```ts
 * await registerBuildingV2(client, table, kinds);
 * ```
 */
export async function registerBuildingV2(
  client: DynamoDBClient,
  table: string,
  rollup: { name: string; compiled: { fingerprint: string } },
): Promise<void> {
  await client.send(
    new UpdateItemCommand(
      registerVersionParams(table, rollup.name, {
        fingerprint: rebuildFingerprint(rollup.compiled.fingerprint, 2),
        version: 2,
        expectedNext: 2,
        state: 'building',
        needsBackfill: true,
        now: Date.now(),
      }),
    ),
  );
}

/**
 * An applier of the refusal and redelivery tests: one attempt a request (a refusal is never retried away), every
 * write sampled for pruning, a fixed clock, the given dead-letter sink, and a state budget when given.
 *
 * @example
 * ```ts
 * const applier = budgetApplier({ client, table, rollups: [amounts, kinds], api: 'partiql', deadLetter, now: NOW });
 * ```
 */
export function budgetApplier(o: {
  client: DynamoDBClient;
  table: string;
  rollups: readonly RollupLike[];
  api: 'update-item' | 'partiql';
  deadLetter: DeadLetterSink;
  now: number;
  budget?: number | undefined;
}): Applier {
  return new Applier({
    client: o.client,
    table: o.table,
    rollups: o.rollups,
    write: { api: o.api },
    retry: { maxAttempts: 1 },
    pruneSampleEvery: 1,
    now: () => o.now,
    deadLetter: o.deadLetter,
    ...(o.budget === undefined ? {} : { stateBudgetBytes: o.budget }),
  });
}

import { type DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import {
  Applier,
  type ApplyMode,
  type ApplyReport,
  type ExactlyOnceStrategy,
  emptyReport,
  mergeReports,
  type WriteOptions,
} from '../../packages/dynotally/src/apply/index.ts';
import type { Rollup } from '../../packages/dynotally/src/definition/index.ts';
import { explodeRow } from '../../packages/dynotally/src/layout/explode-row.ts';
import { parsePartitionKey } from '../../packages/dynotally/src/layout/group-key.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  addTo,
  type Canonical,
  canonicalKey,
  type Granularity,
  granularityOfLabel,
  MEASURES,
  type Measure,
} from '../oracle/canonical.ts';
import { benchStoreRollup } from '../suites/s4-rollup.ts';
import type { Contender, LambdaBatch } from './contender.ts';

/** Options for {@link createDynotallyContender}. */
export interface DynotallyContenderOptions {
  /** Id in result tables. */
  name: string;
  /** Aggregate table (created with `createAggregateTable`). */
  tableName: string;
  mode: ApplyMode;
  strategy?: ExactlyOnceStrategy;
  /** Parallel `UpdateItem`s in flight per batch; default 32 (the Applier's default). */
  concurrency?: number;
  /** The rollup; default the bench's S4 rollup. */
  rollup?: Rollup;
  /** How rows and extrema reach the store; default the Applier's (PartiQL `BatchExecuteStatement`). */
  write?: WriteOptions;
}

/** A dynotally contender, with the totals of the Applier's own reports. */
export interface DynotallyContender extends Contender {
  /** Sum of every `ApplyReport` since setup (write units by DynamoDB's sizing rules). */
  totals(): ApplyReport;
}

/**
 * dynotally's `Applier` as a benchmark contender: each batch is one `apply` with the batch's shard id,
 * exactly what the Lambda handler does per invocation (minus the event parsing).
 *
 * @example
 * ```ts
 * const eo = createDynotallyContender({ name: 'dynotally-eo', tableName: 'bench-eo', mode: 'exactly-once' });
 * await eo.setup(client);
 * await eo.handle({ shardId, records });
 * console.log(eo.totals().writeUnits);
 * ```
 */
export function createDynotallyContender(options: DynotallyContenderOptions): DynotallyContender {
  const rollup = options.rollup ?? benchStoreRollup;
  let applier: Applier | undefined;
  let total = emptyReport();
  return {
    name: options.name,
    async setup(client: DynamoDBClient): Promise<void> {
      await createAggregateTable(client, options.tableName);
      applier = new Applier({
        client,
        table: options.tableName,
        rollups: [rollup],
        mode: options.mode,
        ...(options.strategy ? { strategy: options.strategy } : {}),
        concurrency: options.concurrency ?? 32,
        ...(options.write ? { write: options.write } : {}),
        // the workload's stream times are simulated (from October 2026 by default), not this clock's
        lateRecords: 'apply',
      });
      total = emptyReport();
    },
    async handle(batch: LambdaBatch): Promise<void> {
      if (applier === undefined) throw new Error(`${options.name}: call setup(client) before handle()`);
      const { report, poison } = await applier.apply({ records: batch.records, shardId: batch.shardId });
      if (poison.length > 0)
        throw new Error(
          `${options.name}: ${poison.length} poison record(s), e.g. ${poison[0]?.error.message}`,
        );
      mergeReports(total, report);
    },
    totals: () => ({ ...total }),
    readCanonical: (client: DynamoDBClient) => scanRollupCanonical(client, options.tableName, rollup),
  };
}

/**
 * Scans a dynotally aggregate table and converts every stored cell of `rollup` into the oracle's
 * canonical form: the group value comes from the partition key, granularity and bucket label from
 * `explodeRow` (packed minutes, days and years included); watermarks, `ttl` and `updatedAt` are ignored.
 *
 * @example
 * ```ts
 * const wrong = diffCanonical(expected, await scanRollupCanonical(client, 'bench-eo-row', benchStoreRollup));
 * ```
 */
export async function scanRollupCanonical(
  client: DynamoDBClient,
  tableName: string,
  rollup: Rollup,
): Promise<Canonical> {
  const measures = new Set<string>(MEASURES);
  const out: Canonical = new Map();
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      const pk = item.pk?.S;
      const sk = item.sk?.S;
      if (pk === undefined || sk === undefined) continue;
      if (pk.startsWith('~')) continue; // system items (retention history, watermarks): no rollup rows
      const { rollup: name, values } = parsePartitionKey(pk);
      if (name !== rollup.compiled.name) continue;
      const storeId = String(values[0]);
      for (const { ref, value } of explodeRow(rollup.compiled, sk, item)) {
        if (value.N === undefined || !measures.has(ref.measure)) continue;
        const granularity: Granularity = granularityOfLabel(ref.bucket);
        addTo(out, canonicalKey(storeId, granularity, ref.bucket, ref.measure as Measure), Number(value.N));
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return out;
}

import type { DynamoDBRecord } from 'aws-lambda';
import type { Coalescer, PoisonRecord } from '../fold/index.ts';
import { rowsFitOneWrite } from './rows-fit.ts';

/**
 * The two parts a batch too wide for one write per row is applied in: its records in sequence order, cut in the
 * middle (the first half takes the odd one out).
 *
 * @example
 * ```ts
 * const halves = wideBatchHalves(records, fold.coalescer); // { first, second, offset } or undefined
 * ```
 */
export interface BatchHalves {
  readonly first: readonly DynamoDBRecord[];
  readonly second: readonly DynamoDBRecord[];
  /** The index in the whole batch of the second half's first record. */
  readonly offset: number;
}

/**
 * How a batch whose folded rows do not all fit one DynamoDB write ({@link rowsFitOneWrite}) is cut: into two
 * halves, applied one after the other, each checked (and cut) again in its turn; undefined when the batch fits,
 * or is a single record (one record always fits: checked when the rollup is defined). `Applier.apply` and
 * `Applier.plan` both cut by this rule, so a dry run shows the parts apply sends.
 *
 * @example
 * ```ts
 * const fold = foldBatch(rollups, records);
 * const halves = wideBatchHalves(records, fold.coalescer);
 * if (halves !== undefined) console.log(`${halves.first.length} records, then ${halves.second.length}`);
 * ```
 */
export function wideBatchHalves(
  records: readonly DynamoDBRecord[],
  coalescer: Coalescer,
): BatchHalves | undefined {
  if (records.length <= 1 || rowsFitOneWrite(coalescer)) return undefined;
  const half = Math.ceil(records.length / 2);
  return { first: records.slice(0, half), second: records.slice(half), offset: half };
}

/**
 * The poison records of both halves, with the second half's positions counted in the whole batch.
 *
 * @example
 * ```ts
 * const poison = poisonOfHalves(halves, first.poison, second.poison);
 * ```
 */
export function poisonOfHalves(
  halves: BatchHalves,
  first: readonly PoisonRecord[],
  second: readonly PoisonRecord[],
): PoisonRecord[] {
  return [...first, ...second.map((p) => ({ ...p, index: p.index + halves.offset }))];
}

import type { AttributeValue, BatchGetItemCommandInput, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { batchGetReadUnits, estimateRowBytes, queryReadUnits } from './read-units.ts';
import type { RowRun } from './row-reads.ts';

/**
 * BatchGetItem takes at most 100 keys.
 *
 * @example
 * ```ts
 * Math.ceil(keys.length / BATCH_GET_LIMIT); // requests needed
 * ```
 */
export const BATCH_GET_LIMIT = DYNAMO_LIMITS.batchGetKeys;
/** Past this many attributes a projection is dropped (the whole row is read; read units are the same). */
const MAX_PROJECTED = 100;

/**
 * One read request, exactly as it will be sent.
 *
 * @example
 * ```ts
 * const r: ReadRequest = { command: 'Query', input: { TableName: 'aggregates', KeyConditionExpression: '…' } };
 * ```
 */
export type ReadRequest =
  | { readonly command: 'Query'; readonly input: QueryCommandInput }
  | { readonly command: 'BatchGetItem'; readonly input: BatchGetItemCommandInput };

/**
 * A row a plan reads, for `explain`.
 *
 * @example
 * ```ts
 * // { pk: 'jobs#sc-1', sk: 'H2026-11-22T13:00', attributes: ['jobs_0', 'jobs_1'] }
 * ```
 */
export interface PlannedRow {
  readonly pk: string;
  readonly sk: string;
  readonly attributes: readonly string[];
}

/**
 * The requests for a set of groups' row runs, and their estimated read units.
 *
 * @example
 * ```ts
 * const { requests, estimatedReadUnits } = readRequests(c, 'aggregates', [{ pk, runs }], false);
 * ```
 */
export interface RequestPlan {
  readonly requests: ReadRequest[];
  readonly estimatedReadUnits: number;
}

/**
 * The projection of `attrs` (plus the key, always read): each attribute named once through `#a<i>`, since
 * DynamoDB rejects overlapping paths. Past {@link MAX_PROJECTED} attributes there is no projection (the
 * whole row is read) and `names` is empty: DynamoDB rejects names no expression uses.
 */
function projection(attrs: readonly string[]): {
  ProjectionExpression?: string;
  names: Record<string, string>;
} {
  const distinct = [...new Set(attrs)].filter((a) => a !== 'pk' && a !== 'sk');
  if (distinct.length > MAX_PROJECTED) return { names: {} };
  const names: Record<string, string> = { '#pk': 'pk', '#sk': 'sk' };
  distinct.forEach((a, i) => {
    names[`#a${i}`] = a;
  });
  return { ProjectionExpression: ['#pk', '#sk', ...distinct.map((_, i) => `#a${i}`)].join(', '), names };
}

/**
 * The `Query` for one run of consecutive rows of one group: `pk = :pk AND sk BETWEEN :first AND :last`
 * (`sk = :first` for a single row), projected to the attributes needed.
 *
 * @example
 * ```ts
 * const input = runQueryParams('aggregates', 'jobs#sc-1', run, false);
 * await client.send(new QueryCommand(input));
 * ```
 */
export function runQueryParams(
  table: string,
  pk: string,
  run: RowRun,
  consistent: boolean,
): QueryCommandInput {
  const first = run.rows[0]?.label as string;
  const last = run.rows[run.rows.length - 1]?.label as string;
  const { ProjectionExpression, names } = projection(run.attrs);
  const values: Record<string, AttributeValue> = { ':pk': { S: pk }, ':first': { S: first } };
  let key = '#pk = :pk AND #sk = :first';
  if (last !== first) {
    values[':last'] = { S: last };
    key = '#pk = :pk AND #sk BETWEEN :first AND :last';
  }
  return {
    TableName: table,
    KeyConditionExpression: key,
    ...(ProjectionExpression === undefined ? {} : { ProjectionExpression }),
    ExpressionAttributeNames: { ...names, '#pk': 'pk', '#sk': 'sk' },
    ExpressionAttributeValues: values,
    ConsistentRead: consistent,
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/**
 * `BatchGetItem` inputs for single rows, at most {@link BATCH_GET_LIMIT} distinct keys each (a key given twice
 * is read once, for both attribute lists), projected to the union of the attributes needed.
 *
 * @example
 * ```ts
 * batchGetParams('aggregates', [{ pk: 'store#ss-1', sk: 'M2026-11', attrs: ['orders_22'] }], false);
 * ```
 */
export function batchGetParams(
  table: string,
  keys: ReadonlyArray<{ readonly pk: string; readonly sk: string; readonly attrs: readonly string[] }>,
  consistent: boolean,
): BatchGetItemCommandInput[] {
  // DynamoDB rejects a request that names a key twice: one entry per key, with the union of its attributes
  const byKey = new Map<string, { pk: string; sk: string; attrs: string[] }>();
  for (const k of keys) {
    const id = `${k.pk}\u0000${k.sk}`;
    const seen = byKey.get(id);
    if (seen === undefined) byKey.set(id, { pk: k.pk, sk: k.sk, attrs: [...k.attrs] });
    else seen.attrs.push(...k.attrs);
  }
  const distinct = [...byKey.values()];
  const out: BatchGetItemCommandInput[] = [];
  for (let i = 0; i < distinct.length; i += BATCH_GET_LIMIT) {
    const chunk = distinct.slice(i, i + BATCH_GET_LIMIT);
    const attrs = [...new Set(chunk.flatMap((k) => k.attrs))].sort();
    const { ProjectionExpression, names } = projection(attrs);
    out.push({
      RequestItems: {
        [table]: {
          Keys: chunk.map((k) => ({ pk: { S: k.pk }, sk: { S: k.sk } })),
          ...(ProjectionExpression === undefined
            ? {}
            : { ProjectionExpression, ExpressionAttributeNames: names }),
          ConsistentRead: consistent,
        },
      },
      ReturnConsumedCapacity: 'TOTAL',
    });
  }
  return out;
}

/**
 * The requests that read every group's runs: a `Query` per run of two or more rows, and the single rows of
 * all groups together in `BatchGetItem`s of up to 100 keys (a single row costs the same either way, and
 * batching saves requests). `extraAttributes` (a live source's flush marker) are projected too. Read units
 * are estimated with {@link estimateRowBytes}.
 *
 * @example
 * ```ts
 * const { requests } = readRequests(c, 'aggregates', [{ pk: 'jobs#sc-1', runs }], false);
 * ```
 */
export function readRequests(
  c: CompiledRollup,
  table: string,
  groups: ReadonlyArray<{ readonly pk: string; readonly runs: readonly RowRun[] }>,
  consistent: boolean,
  extraAttributes: readonly string[] = [],
): RequestPlan {
  const requests: ReadRequest[] = [];
  const singles: Array<{ pk: string; sk: string; attrs: readonly string[] }> = [];
  const singleBytes: number[] = [];
  let units = 0;
  for (const { pk, runs } of groups) {
    for (const r of runs) {
      const run = extraAttributes.length === 0 ? r : { ...r, attrs: [...r.attrs, ...extraAttributes] };
      const sizes = run.rows.map((b) => estimateRowBytes(c, run.kind, pk, b.label));
      if (run.rows.length === 1) {
        singles.push({ pk, sk: (run.rows[0] as { label: string }).label, attrs: run.attrs });
        singleBytes.push(sizes[0] as number);
        continue;
      }
      requests.push({ command: 'Query', input: runQueryParams(table, pk, run, consistent) });
      units += queryReadUnits(sizes, consistent);
    }
  }
  for (const input of batchGetParams(table, singles, consistent))
    requests.push({ command: 'BatchGetItem', input });
  units += batchGetReadUnits(singleBytes, consistent);
  return { requests, estimatedReadUnits: units };
}

/**
 * The rows a set of runs reads, with the attributes needed from each, for `explain`.
 *
 * @example
 * ```ts
 * plannedRows('jobs#sc-1', runs).length; // 25
 * ```
 */
export function plannedRows(pk: string, runs: readonly RowRun[]): PlannedRow[] {
  return runs.flatMap((run) =>
    run.rows.map((b) => ({ pk, sk: b.label, attributes: run.perRow.get(b.label) ?? run.attrs })),
  );
}

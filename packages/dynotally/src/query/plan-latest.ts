import type { QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { CompiledMeasure, CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { ALL_BUCKET, type GranularitySpec, granularityOrder } from '../time/index.ts';
import { type CellLocation, locateCell, placementOf } from './cell-location.ts';
import { granularitiesOf } from './plan-window.ts';
import { selectMeasures } from './validate.ts';

/**
 * Sort-key prefix of each row kind (what its bucket labels start with). `all` too: a `last` kept by year has
 * its years packed in the `ALL` row, and DynamoDB rejects an empty prefix in a key condition.
 */
const ROW_PREFIX: Readonly<Record<string, string>> = {
  second: 's',
  minute: 'm',
  hour: 'H',
  day: 'D',
  week: 'W',
  month: 'M',
  year: 'Y',
  all: 'ALL',
};

/**
 * How `latest` finds one `last` measure: by key when it is kept all-time (`<storeAs>` and `<storeAs>_t` on
 * the `ALL` row), otherwise by reading the rows of its coarsest granularity newest first until one holds a
 * value (a later bucket always holds a later event).
 *
 * @example
 * ```ts
 * planLatest(energy.compiled)[0]; // { mode: 'key', measure: power, cell: { row: ALL, attr: 'power', timeAttr: 'power_t' } }
 * ```
 */
export type LatestRead =
  | {
      readonly mode: 'key';
      readonly measure: CompiledMeasure;
      readonly granularity: GranularitySpec;
      readonly cell: CellLocation;
    }
  | {
      readonly mode: 'scan';
      readonly measure: CompiledMeasure;
      readonly granularity: GranularitySpec;
      readonly kind: CompiledRowKind;
      readonly prefix: string;
    };

/**
 * Plans `latest` for the rollup's `last` measures (or those listed).
 *
 * @throws {DynotallyError} `UNKNOWN_MEASURE`; `QUERY_INVALID` when a listed measure is not a `last()` or the
 *   rollup has none.
 * @example
 * ```ts
 * planLatest(energy.compiled, ['power']).length; // 1
 * ```
 */
export function planLatest(c: CompiledRollup, names?: readonly string[]): LatestRead[] {
  const measures =
    names === undefined ? c.measures.filter((m) => m.kind === 'last') : selectMeasures(c, names);
  if (measures.length === 0) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `rollup '${c.name}' has no last() measure: latest() reads last(attr) values; use total() for ${c.measures.map((m) => `'${m.name}'`).join(', ')}`,
      { details: { rollup: c.name } },
    );
  }
  return measures.map((m) => {
    if (m.kind !== 'last') {
      throw new DynotallyError(
        'QUERY_INVALID',
        `measure '${m.name}' of rollup '${c.name}' is a ${m.kind}(), and latest() reads last() measures: use total() for it`,
        { details: { rollup: c.name, measure: m.name, kind: m.kind } },
      );
    }
    const grans = granularitiesOf(c, m).sort((a, b) => granularityOrder(b) - granularityOrder(a));
    const g = grans[0] as GranularitySpec;
    if (g.kind === 'all')
      return { mode: 'key', measure: m, granularity: g, cell: locateCell(c, m, g, ALL_BUCKET) };
    const { kind } = placementOf(c, g);
    return { mode: 'scan', measure: m, granularity: g, kind, prefix: ROW_PREFIX[kind.row.kind] ?? '' };
  });
}

/**
 * The newest-first `Query` over one row kind of a group, for `latest`: from the row labelled `from` on (the row
 * holding the first bucket still kept) when given, else over every row of the kind.
 *
 * @example
 * ```ts
 * latestScanParams('aggregates', 'meter#sm-1', 'D', false, 12, 'D2026-11-14');
 * ```
 */
export function latestScanParams(
  table: string,
  pk: string,
  prefix: string,
  consistent: boolean,
  pageSize: number,
  from?: string,
): QueryCommandInput {
  // labels of one row kind sort as their buckets do, and every character of a label sorts below '~'
  const range: { condition: string; values: Record<string, { S: string }> } =
    from === undefined
      ? { condition: 'begins_with(#sk, :prefix)', values: { ':prefix': { S: prefix } } }
      : {
          condition: '#sk BETWEEN :from AND :to',
          values: { ':from': { S: from }, ':to': { S: `${prefix}~` } },
        };
  return {
    TableName: table,
    KeyConditionExpression: `#pk = :pk AND ${range.condition}`,
    ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
    ExpressionAttributeValues: { ':pk': { S: pk }, ...range.values },
    ScanIndexForward: false,
    Limit: pageSize,
    ConsistentRead: consistent,
    ReturnConsumedCapacity: 'TOTAL',
  };
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup, GroupValue } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { beats, type Extremum, lastTimeAttr } from '../fold/index.ts';
import { explodeRow } from '../layout/explode-row.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { compareNum, type Num, parseNum, toDynamoN } from '../numbers/index.ts';
import { rowTtl } from '../plan/plan-writes.ts';
import { type RetentionHistory, rowKeptUntil } from '../retention/index.ts';
import type { ExpectedRow } from './expected-rows.ts';
import type { StoredRow } from './stored-rows.ts';
import type { DriftCell, UncountableSource } from './verify-options.ts';

/** Attributes of a stored row that are bookkeeping, not measure values. */
const BOOKKEEPING = new Set(['pk', 'sk', 'ttl', 'updatedAt', 'lbk', 'lbv']);
/** A legacy (0.2) shard watermark, by its whole name: `w_6`, a measure `w`'s packed cell, is compared. */
const LEGACY_WATERMARK = /^w_[0-9a-f]{12}$/;

/**
 * Compares recomputed rows with stored rows, cell by cell (pure). Counts and sums must be equal (a missing
 * cell is 0). `min`, `max` and `last` are monotone (a deleted or changed item's value stays), so the stored
 * value may be beyond what the current items give: such a cell is drift only when the stored value loses to a
 * current item's (a contribution is missing) or is absent. Rows past their TTL on either side are skipped
 * (DynamoDB deletes them; the stream no longer writes them), and with the rollup's retention `history`, rows past
 * the TTL a writer of a shorter retention may have given them ({@link rowKeptUntil}).
 *
 * A rollup with `ttlDeletes: 'ignore'` keeps counting items DynamoDB's TTL deleted, which no scan sees: its counts
 * are lower bounds (each item counts 0 or 1, so the stored count is at least the current items' and is drift only
 * when below it), and its sums cannot be checked at all (an expired item's amount may be negative): they are
 * counted in `unverified`, never drift.
 *
 * The counts and sums of the groups in `untimedGroups` (groups of source items without the rollup's time attribute,
 * which the stream counted at their records' times, unknown to a scan: an insert, its later changes and its delete
 * each land in the bucket of their own record) are not compared either: `unverified`. Their `min` / `max` / `last`
 * cells are (the stored value still bounds the timed items').
 *
 * @example
 * ```ts
 * const { drift, cells } = compareRows(version, expected, stored, Date.now(), history);
 * ```
 */
export function compareRows(
  version: CompiledRollup,
  expected: ReadonlyMap<string, ExpectedRow>,
  stored: ReadonlyMap<string, StoredRow>,
  nowMs: number,
  history?: RetentionHistory,
  options: { untimedGroups?: ReadonlySet<string> | undefined } = {},
): RowComparisonResult {
  const comparison = createRowComparison(version, history, options);
  for (const key of new Set([...expected.keys(), ...stored.keys()]))
    comparison.compare(expected.get(key), stored.get(key), nowMs);
  return comparison.result();
}

/**
 * What {@link compareRows} (or a {@link RowComparison}) found: the drifted cells (sorted by group, bucket and
 * measure), the cells, rows and groups compared, the cells not checked (`unverified`) and the rows whose
 * recomputed sums do not fit DynamoDB (`uncountable`).
 *
 * @example
 * ```ts
 * const { drift, cells }: RowComparisonResult = compareRows(version, expected, stored, Date.now());
 * ```
 */
export interface RowComparisonResult {
  drift: DriftCell[];
  cells: number;
  rows: number;
  groups: number;
  unverified: number;
  uncountable: UncountableSource[];
}

/**
 * A comparison fed one row at a time: {@link compareRows}'s rules for each pair of an expected and a stored row
 * (either may be missing), each at its own `nowMs`. Verify compares each stored row as it is read, so that the
 * stored rows are never all in memory.
 *
 * @example
 * ```ts
 * const comparison: RowComparison = createRowComparison(version, history);
 * comparison.compare(expected.get(key), storedRow, Date.now());
 * const { drift } = comparison.result();
 * ```
 */
export interface RowComparison {
  /** Compares one row: its recomputed form (undefined when the source has none) and its stored one. */
  compare(exp: ExpectedRow | undefined, st: StoredRow | undefined, nowMs: number): void;
  /** Rows compared so far. */
  readonly rows: number;
  /** Cells found drifted so far. */
  readonly drifted: number;
  /** What was found (the drift sorted). */
  result(): RowComparisonResult;
}

/**
 * Starts a {@link RowComparison} of a version's rows (see {@link compareRows} for the rules).
 *
 * @example
 * ```ts
 * const comparison = createRowComparison(version, history, { untimedGroups });
 * for (const [key, row] of stored) comparison.compare(expected.get(key), row, Date.now());
 * ```
 */
export function createRowComparison(
  version: CompiledRollup,
  history?: RetentionHistory,
  options: { untimedGroups?: ReadonlySet<string> | undefined } = {},
): RowComparison {
  const uncountable: UncountableSource[] = [];
  const drift: DriftCell[] = [];
  // TTL deletes that leave their counts: the stored history holds items no scan can see
  const keepsExpired = version.ttlDeletes === 'ignore';
  let unverified = 0;
  const groups = new Set<string>();
  let cells = 0;
  let rows = 0;
  const compare = (exp: ExpectedRow | undefined, st: StoredRow | undefined, nowMs: number): void => {
    const pk = exp?.pk ?? (st?.pk?.S as string);
    const sk = exp?.sk ?? (st?.sk?.S as string);
    const ttl = exp === undefined ? undefined : rowTtl(exp);
    if (ttl !== undefined && ttl * 1000 <= nowMs) return;
    // written under a shorter retention (the retention history): its row may be gone by that TTL, no drift
    if (exp !== undefined && history !== undefined) {
      const start = version.calendar.bucketByLabel(exp.sk).start;
      const until = rowKeptUntil(version, exp.kind, start, exp.bucketEnd, history);
      if (until !== undefined && until <= nowMs) return;
    }
    const storedTtl = st?.ttl?.N === undefined ? undefined : Number(st.ttl.N);
    if (storedTtl !== undefined && storedTtl * 1000 <= nowMs) return;
    const names: Record<string, true> = {};
    for (const a of exp?.sums.keys() ?? []) names[a] = true;
    for (const a of exp?.extrema?.keys() ?? []) names[a] = true;
    for (const a of Object.keys(st ?? {}))
      if (!BOOKKEEPING.has(a) && !LEGACY_WATERMARK.test(a)) names[a] = true;
    rows++;
    groups.add(pk);
    const untimedRow = options.untimedGroups?.has(pk) === true;
    // a recomputed sum past 38 digits: the store refused (and dead-lettered) one of its items, which one depends
    // on the order they came in, so none of the row's cells can be recomputed
    const unfit = exp === undefined ? undefined : [...exp.sums].find(([, v]) => !fitsDynamo(v));
    if (unfit !== undefined)
      uncountable.push({
        code: 'NUMBER_UNREPRESENTABLE',
        reason: `the source's items sum to ${unfit[1].toString()} in ${unfit[0]}, which does not fit a DynamoDB number (38 significant digits): the store refuses one of them, which is dead-lettered, so the row's cells cannot be recomputed`,
        row: { pk, sk },
        attr: unfit[0],
        value: unfit[1].toString(),
      });
    for (const { ref } of explodeRow(version, sk, names)) {
      const m = version.measures.find((x) => x.name === ref.measure);
      if (m === undefined) continue;
      cells++;
      if (unfit !== undefined) {
        unverified++;
        continue;
      }
      const av = st?.[ref.attr];
      let expected: string | null;
      let actual: string | null;
      if (m.kind === 'count' || m.kind === 'sum') {
        if ((keepsExpired && m.kind === 'sum') || untimedRow) {
          unverified++;
          continue;
        }
        const e: Num = exp?.sums.get(ref.attr) ?? 0;
        const a: Num = av?.N === undefined ? 0 : parseNum(av.N);
        const order = compareNum(e, a);
        if (order === 0 || (keepsExpired && order < 0)) continue;
        expected = exp?.sums.has(ref.attr) ? toDynamoN(e) : null;
        actual = av?.N ?? null;
      } else {
        const e = exp?.extrema?.get(ref.attr);
        if (e === undefined) continue; // a monotone value with no current item behind it: nothing to check
        const value = av === undefined ? undefined : scalar(av);
        const t = st?.[lastTimeAttr(ref.attr)]?.N;
        const time = t === undefined ? Number.NEGATIVE_INFINITY : Number(t);
        if (value !== undefined && !beats(e.op, e.value, e.time, { value, time })) continue;
        expected = show(e.op, e.value, e.time);
        actual = value === undefined ? null : show(e.op, value, time);
      }
      const groupValues = parsePartitionKey(pk).values as GroupValue[];
      drift.push({
        group: groupOf(version, groupValues),
        groupValues,
        granularity: ref.granularity,
        bucket: ref.bucket,
        measure: m.name,
        kind: m.kind,
        expected,
        actual,
        row: { pk, sk },
        attr: ref.attr,
      });
    }
  };
  return {
    compare,
    get rows() {
      return rows;
    },
    get drifted() {
      return drift.length;
    },
    result() {
      drift.sort(byCell);
      // row by row in key order, whatever order the rows were compared in
      uncountable.sort((a, b) => byKey(a.row, b.row));
      return { drift, cells, rows, groups: groups.size, unverified, uncountable };
    },
  };
}

function byKey(a: { pk: string; sk: string } | undefined, b: { pk: string; sk: string } | undefined): number {
  const x = `${a?.pk ?? ''}\u0000${a?.sk ?? ''}`;
  const y = `${b?.pk ?? ''}\u0000${b?.sk ?? ''}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function byCell(a: DriftCell, b: DriftCell): number {
  return a.row.pk !== b.row.pk
    ? a.row.pk < b.row.pk
      ? -1
      : 1
    : a.bucket !== b.bucket
      ? a.bucket < b.bucket
        ? -1
        : 1
      : a.measure < b.measure
        ? -1
        : a.measure > b.measure
          ? 1
          : 0;
}

/** Whether a number fits DynamoDB's (38 significant digits, its magnitudes). */
function fitsDynamo(n: Num): boolean {
  try {
    toDynamoN(n);
    return true;
  } catch (e) {
    if (isDynotallyError(e, 'NUMBER_OUT_OF_RANGE')) return false;
    throw e;
  }
}

/** The key of a cell: row and attribute. */
export const cellKey = (c: Pick<DriftCell, 'row' | 'attr'>): string =>
  `${c.row.pk}\u0000${c.row.sk}\u0000${c.attr}`;

function scalar(av: AttributeValue): Num | string | boolean | undefined {
  if (av.N !== undefined) return parseNum(av.N);
  if (av.S !== undefined) return av.S;
  if (av.BOOL !== undefined) return av.BOOL;
  return undefined;
}

function show(op: Extremum['op'], value: Num | string | boolean, time: number): string {
  const v = typeof value === 'object' || typeof value === 'number' ? toDynamoN(value) : String(value);
  return op === 'last' ? `${v}@${time}` : v;
}

/**
 * A drifted row's group, keyed by the rollup's group names; undefined for a plain groupBy function, whose names are
 * not in the key (as top()'s entries: the cell's `groupValues` name it; it was keyed by position, `{ '0': … }`, a
 * group nothing names, review s41b). Built with Object.fromEntries, as top() builds its entries' groups: own
 * properties of any name, `__proto__` included, which an assignment would not set (review s40x).
 */
function groupOf(
  version: CompiledRollup,
  values: readonly GroupValue[],
): Record<string, GroupValue> | undefined {
  const names = version.groupNames;
  if (names === undefined) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, values[i] as GroupValue]));
}

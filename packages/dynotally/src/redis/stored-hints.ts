import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import type { CompiledRollup } from '../definition/index.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { addNum, Dec, Fixed, type Num, negNum, parseNum } from '../numbers/index.ts';
import { cellField, FLUSH_MARKER_ATTR, parseCellField } from './keys.ts';
import { unreadAttrs } from './learned-cells.ts';
import { redisCall } from './lua-script.ts';
import { refusalAt } from './refused-marker.ts';
import { HINTS_SCRIPT, NARROWED_HINT, UNREAD_NARROW } from './scripts.ts';

/** Beyond this many digits before or after the point, a stored value gets a hint (two narrow values always fit). */
const NARROW_DIGITS = 16;

/**
 * Whether a value DynamoDB holds is *wide*: 1e16 or more in magnitude, or with more than 16 digits after the point.
 * Two values that are not wide always add up within 38 significant digits (at most 16 + 1 before the point and 16
 * after), so only a wide stored value can make a buffered cell's flush overflow; the flusher keeps a hint of those
 * in Redis, and the write script checks a cell's sum against it.
 *
 * @example
 * ```ts
 * isWideNumber('100000000000000000000'); // true (1e20)
 * isWideNumber('1234.5678'); // false
 * ```
 */
export function isWideNumber(n: string): boolean {
  return isWideDec(new Dec(n));
}

/** {@link isWideNumber} of an exact number: a safe integer or a {@link Fixed} (15 digits at most) never is. */
function isWideNum(v: Num): boolean {
  if (typeof v === 'number') return Math.abs(v) >= 10 ** NARROW_DIGITS;
  return v instanceof Fixed ? false : isWideDec(v);
}

function isWideDec(d: Dec): boolean {
  if (d.isZero()) return false;
  return d.e >= NARROW_DIGITS || d.decimalPlaces() > NARROW_DIGITS;
}

/**
 * What a flushed row write left in DynamoDB (`ReturnValues: 'UPDATED_NEW'`): its partition and sort key, the flush
 * marker it set (`_fb`: the hint's version) and the new values (`N` strings) of the attributes it added to.
 *
 * @example
 * ```ts
 * const stored: StoredRow = { pk: 'amounts#sbig', sk: 'ALL', marker: '001795352460000', values: [['total', '1e20']] };
 * ```
 */
export interface StoredRow {
  pk: string;
  sk: string;
  marker: string;
  values: ReadonlyArray<readonly [attr: string, value: string]>;
  /**
   * The attributes whose value, narrow now, the write may have taken there from a wide one (`'all'`: every narrow
   * one, when the item's last write is not this one): their hint's removal is versioned even in a group whose hints
   * are known, so a read of the group older than the write, recorded after `h:<pk>` was lost, cannot put the wide
   * value back ({@link updateStoredHints}). Absent: none (a group read records wide values only).
   */
  narrowed?: ReadonlySet<string> | 'all' | undefined;
}

/**
 * Keeps the stored-value hints (`h:<pk>`: `<sk>|<attr>` → the value DynamoDB holds) in step with what a flush
 * wrote: a wide value ({@link isWideNumber}) is recorded, a hint of a value no longer wide is removed. Script calls
 * of at most 2,000 cells each (every cell's hint stands alone; the flusher gives a chunk of up to 200 groups' rows,
 * which can be tens of thousands of cells); keys without hints are only looked at.
 * The buffer's write script adds a cell's new sum to the hint and refuses a record that would make the flush of
 * the cell pass 38 significant digits — before it is buffered, where it can still be isolated record by record.
 *
 * Each hint keeps the flush marker of the write it came from (`hv:<pk>`), and an update with an older marker than
 * the hint's changes nothing: a flusher that lost its lease between its row writes and this call (a long pause)
 * must not put back a value another flusher has written over since. A row's markers grow with every write that
 * applies, so the newer marker is the newer value. An older hint would say less than DynamoDB holds, and a record
 * that cannot be added would be buffered, to be refused by DynamoDB at the flush with its whole row of the bucket
 * (`test/redis/hints-order.int.test.ts`). A narrow value with no hint key records nothing, not even a version
 * (counts never pay for hints), so a late wide value can still land over a newer narrow one there: that hint says
 * more than DynamoDB holds, which only refuses a record that would fit (its letter replays: DynamoDB takes it), and
 * the row's next flush removes it. A group whose hints are known (`h:<pk>` field `*`, known-groups.ts) keeps them,
 * and its keys get a fresh expiry, with every call that records a cell of it. In such a group a narrow value records
 * nothing either, unless the write may have made it narrow ({@link StoredRow.narrowed}): then its removal is
 * versioned (one `hv:<pk>` field), so a read of the group from before the write cannot put the wide value back
 * should `h:<pk>` be lost before that read is recorded (`test/review/s34r-known-group-evicted-hints.int.test.ts`).
 * Both kinds of removal version guard a read's value, so a cell no read learns (a count's, learned-cells.ts, placed
 * by the row's rollup in `rollups`) gets neither: its removal is versioned only where `h:<pk>` holds a hint, and a
 * group of a count-only rollup, which no read ever makes known, keeps no `hv:<pk>`
 * (`test/review/s36q-count-group-hint-versions.int.test.ts`). Without `rollups` every cell is taken as learned.
 *
 * @example
 * ```ts
 * await updateStoredHints(redis, prefix, [{ pk, sk: 'ALL', marker, values: [['total', '1e20']] }], keyTtlMs, 10_000, byName);
 * ```
 */
export async function updateStoredHints(
  redis: Redis,
  prefix: string,
  rows: readonly StoredRow[],
  keyTtlMs: number,
  timeoutMs: number,
  rollups?: ReadonlyMap<string, CompiledRollup>,
): Promise<void> {
  // no group marked known here (known-groups.ts): a flush knows the rows it wrote, not the group's others
  let args: string[] = [prefix, String(keyTtlMs), '0'];
  const send = async (): Promise<void> => {
    await redisCall(HINTS_SCRIPT.run(redis, [], args), timeoutMs, 'record what DynamoDB holds');
    args = [prefix, String(keyTtlMs), '0'];
  };
  for (const row of rows) {
    const { narrowed } = row;
    const unread = unreadAttrs(
      rollups?.get(parsePartitionKey(row.pk).rollup),
      row.sk,
      row.values.map(([attr]) => attr),
    );
    for (const [attr, value] of row.values) {
      const cut = narrowed === 'all' || narrowed?.has(attr) === true;
      args.push(
        row.pk,
        cellField(row.sk, attr),
        isWideNumber(value) ? value : unread.has(attr) ? UNREAD_NARROW : cut ? NARROWED_HINT : '',
        row.marker,
      );
      // each cell's hint stands alone, so the cells go in calls of a bounded size: no one script holds Redis long
      if (args.length >= 3 + 4 * HINT_CELLS_PER_CALL) await send();
    }
  }
  if (args.length > 3) await send();
}

/**
 * Cells per hints script call (4 arguments each).
 *
 * @example
 * ```ts
 * if (cells >= HINT_CELLS_PER_CALL) await send();
 * ```
 */
export const HINT_CELLS_PER_CALL = 2_000;

/** Stored values by partition key and cell field (`<sk>|<attr>`), as the buffer's scripts take them (`STORED`). */
export type StoredCells = Record<string, Record<string, string>>;

/**
 * Reads what DynamoDB holds for some cells (strongly consistent `GetItem`, one per row, only the attributes
 * asked for) into `into` — `'0'` for an absent row or attribute. The buffer's write script asks for it only when
 * a cell's sums over its open buckets are wide and no hint says what is stored (a narrow stored value under a wide
 * buffered sum can still pass 38 digits), so counts and ordinary money sums never pay it.
 *
 * @example
 * ```ts
 * const stored: StoredCells = {};
 * await readStoredCells(client, 'aggregates', [['amounts#sbig', 'ALL|total']], stored);
 * stored['amounts#sbig']?.['ALL|total']; // '0.5'
 * ```
 */
export async function readStoredCells(
  client: DynamoDBClient,
  table: string,
  cells: ReadonlyArray<readonly [pk: string, field: string]>,
  into: StoredCells,
): Promise<void> {
  const rows = new Map<string, { pk: string; sk: string; attrs: Set<string> }>();
  for (const [pk, field] of cells) {
    const { sk, attr } = parseCellField(field);
    const key = `${pk}\u0000${sk}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { pk, sk, attrs: new Set() };
      rows.set(key, row);
    }
    row.attrs.add(attr);
  }
  await Promise.all(
    [...rows.values()].map(async ({ pk, sk, attrs }) => {
      const names = [...attrs];
      const out = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: true,
          ProjectionExpression: names.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
        }),
      );
      const cellsOf = into[pk] ?? {};
      into[pk] = cellsOf;
      for (const attr of names) cellsOf[cellField(sk, attr)] = out.Item?.[attr]?.N ?? '0';
    }),
  );
}

/**
 * The {@link StoredRow} of a row item DynamoDB returned (`UPDATED_NEW` or `ALL_NEW` of a write, `ALL_OLD` of a write
 * whose condition failed): the values of the attributes `adds` names, versioned by the item's own flush marker
 * (`_fb`; `marker` if it has none), since they are what the item held as of that marker, not as of the write that
 * read them.
 *
 * And which of them the write may have made narrow ({@link StoredRow.narrowed}): when the item's last write is this
 * part's (`_fb` at `marker`, not refused there), exactly those whose value less the part's delta was wide; when the
 * part was refused at `marker` (its tie moved the marker, not the values), none; otherwise (no marker, or another
 * write past it: which values this part changed, and from what, is unknown) every narrow one, which only costs
 * versions on such rare rows.
 *
 * @example
 * ```ts
 * storedRowOf({ pk: 'money#sg', sk: 'ALL', adds: [['total', n]] }, e.Item, marker); // { …, values: [['total', '1e22']] }
 * ```
 */
export function storedRowOf(
  row: { readonly pk: string; readonly sk: string; readonly adds: ReadonlyArray<readonly [string, Num]> },
  item: Readonly<Record<string, { N?: string | undefined; S?: string | undefined }>>,
  marker: string,
): StoredRow {
  const values = row.adds.flatMap(([attr]) => {
    const n = item[attr]?.N;
    return n === undefined ? [] : [[attr, n] as const];
  });
  const at = item[FLUSH_MARKER_ATTR]?.S;
  return {
    pk: row.pk,
    sk: row.sk,
    marker: at ?? marker,
    values,
    narrowed: narrowedBy(row.adds, item, at, marker),
  };
}

/** {@link storedRowOf}'s `narrowed`. */
function narrowedBy(
  adds: ReadonlyArray<readonly [string, Num]>,
  item: Readonly<Record<string, { N?: string | undefined; S?: string | undefined }>>,
  at: string | undefined,
  marker: string,
): ReadonlySet<string> | 'all' {
  if (at !== marker) return 'all';
  const narrowed = new Set<string>();
  if (refusalAt(item, marker) !== undefined) return narrowed;
  for (const [attr, delta] of adds) {
    const n = item[attr]?.N;
    if (n === undefined || isWideNumber(n)) continue;
    if (isWideNum(addNum(parseNum(n), negNum(delta)))) narrowed.add(attr);
  }
  return narrowed;
}

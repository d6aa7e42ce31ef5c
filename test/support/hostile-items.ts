// The hostile source items of the property tests (test/apply/hostile-items.property.int.test.ts, direct writes;
// test/redis/hostile-items.property.int.test.ts, the Redis buffer; test/backfill/hostile-items.property.int.test.ts,
// the backfill): two rollups, arbitraries of items whose attributes take any value DynamoDB stores (groups at the
// key limit, 38-digit numbers and the ends of DynamoDB's range, sums that cannot be held in 38 digits, bad times,
// wrong types, lists / maps / sets, images near 400 KB), their writes to a real source table, and the oracles the
// aggregate table is compared with: over the stream records not dead-lettered, or over the final items.
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { decodeRecord } from '../../packages/dynotally/src/decode/index.ts';
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import { Coalescer, Folder } from '../../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../../packages/dynotally/src/plan/index.ts';
import { Decimal as OracleDecimal } from '../oracle/decimal.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { referenceIsoMs } from '../oracle/reference-iso.ts';
import { timeArb } from './arbitraries.ts';
import { canonicalCells, type Pipeline, type ShardStream } from './pipeline.ts';

export const byGroup = defineRollup({
  name: 'hx',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  timeZone: 'Asia/Kathmandu',
  granularities: ['hour', 'day', 'all'],
  measures: { n: count(), amt: sum('amount'), top: max('amount', { granularities: ['day'] }) },
  leaderboard: { measure: 'n', granularities: ['all'] },
});
export const byPair = defineRollup({
  name: 'hy',
  groupBy: ['g', 'type'],
  time: { attribute: 'ts', format: 'iso8601' },
  timeZone: 'America/St_Johns',
  granularities: ['month'],
  measures: { orders: count({ where: { type: 'order' } }), amt: sum('amount') },
});

/** The rollups in the oracle's terms, each with how it reads an image's time (epoch ms). */
export const SPECS: Array<{ rollup: OracleRollup; timeMs: (img: Img) => number | undefined }> = [
  {
    rollup: {
      name: 'hx',
      groupBy: ['g'],
      zone: 'Asia/Kathmandu',
      granularities: ['hour', 'day', 'all'],
      measures: [
        { name: 'n', kind: 'count' },
        { name: 'amt', kind: 'sum', attribute: 'amount' },
        { name: 'top', kind: 'max', attribute: 'amount', granularities: ['day'] },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) =>
      img.t === undefined || img.t.NULL !== undefined ? undefined : Math.floor(Number(img.t.N)),
  },
  {
    rollup: {
      name: 'hy',
      groupBy: ['g', 'type'],
      zone: 'America/St_Johns',
      granularities: ['month'],
      measures: [
        { name: 'orders', kind: 'count', where: { type: 'order' } },
        { name: 'amt', kind: 'sum', attribute: 'amount' },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) =>
      img.ts === undefined || img.ts.NULL !== undefined
        ? undefined
        : referenceIsoMs(img.ts.S ?? '', 'America/St_Johns'),
  },
];

/** Exact for any sum of DynamoDB numbers, whatever the order (the oracle's own decimals keep 100 digits). */
const Decimal = OracleDecimal.clone({ precision: 1000 });
type Decimal = InstanceType<typeof Decimal>;

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
const others = (...vs: AttributeValue[]) => fc.constantFrom(...vs);

// Groups: a few ordinary ones (so records meet in rows), keys around the 2,048-byte limit (in one- and
// three-byte characters), numbers spelt several ways and at DynamoDB's limits, and values no group can be.
const groupArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'ü', '%#|', '').map(S) },
  { weight: 1, arbitrary: fc.integer({ min: 2030, max: 2050 }).map((n) => S('g'.repeat(n))) },
  { weight: 1, arbitrary: fc.integer({ min: 670, max: 690 }).map((n) => S('€'.repeat(n))) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '1',
        '1.0',
        '01',
        '1e0',
        '-0',
        '12345678901234567890123456789012345678',
        '1e125',
        '1e-130',
      )
      .map(N),
  },
  {
    weight: 1,
    arbitrary: others(
      { BOOL: true },
      { NULL: true },
      { L: [S('a')] },
      { M: { a: S('b') } },
      { SS: ['a', 'b'] },
    ),
  },
);

// Epoch milliseconds: the DST and offset anchors, and times out of range, fractional, or of the wrong type.
const tArb: fc.Arbitrary<AttributeValue | undefined> = fc.oneof(
  { weight: 8, arbitrary: timeArb.map((t) => N(String(t))) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '1.5',
        '-1',
        '0',
        '1e15',
        '253402300799999',
        '253402300800000',
        '-62135596800001',
        '1e-130',
      )
      .map(N),
  },
  { weight: 1, arbitrary: fc.constantFrom(S('1767225600000'), { NULL: true }, { BOOL: false }, undefined) },
);

// ISO 8601 texts: the anchors with and without offsets, impossible dates, the calendar's ends, other types.
const tsArb: fc.Arbitrary<AttributeValue | undefined> = fc.oneof(
  { weight: 8, arbitrary: timeArb.map((t) => S(new Date(t).toISOString())) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '2026-03-08T02:30:00-04:00',
        '2026-11-01T01:30:00-02:30',
        '2026-02-30T00:00:00Z',
        '2026-03-08T02:30:00',
        '2026-03-08',
        '2026-03-01',
        '2026-02-28T23:59:60-03:30',
        '2026-03-31T22:59:59.9999999-01:00',
        '2026/03/01',
        'not a date',
        '9998-12-31T23:59:59.999Z',
        '9999-01-01T00:00:00Z',
        '0001-01-01T00:00:00Z',
      )
      .map(S),
  },
  { weight: 1, arbitrary: others(N('1767225600000'), { NULL: true }) },
);

// Amounts: ordinary ones, and ones whose sums pass 38 significant digits or DynamoDB's range.
const amountArb: fc.Arbitrary<AttributeValue | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -50, max: 500 }).map((n) => N(String(n))) },
  { weight: 2, arbitrary: fc.constantFrom('0.1', '0.25', '-0.3', '1e20', '1e-20').map(N) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '1e-130',
        '-1e-130',
        '1e125',
        '-1e125',
        '9.9999999999999999999999999999999999999e125',
        '12345678901234567890123456789012345678',
        '0.12345678901234567890123456789012345678',
      )
      .map(N),
  },
  { weight: 1, arbitrary: others(S('5'), { BOOL: true }, { NULL: true }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const typeArb: fc.Arbitrary<AttributeValue | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('order', 'view').map(S) },
  { weight: 1, arbitrary: others(N('1'), S('x'.repeat(1500)), { SS: ['order'] }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Text of `bytes` characters no compressor shrinks much (a seeded generator's letters). */
export function noise(bytes: number, seed: number): string {
  let x = seed | 1;
  const out = new Array<string>(bytes);
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = String.fromCharCode(33 + ((x >>> 0) % 90));
  }
  return out.join('');
}

/** Most items are small; a few carry a pad that brings them near DynamoDB's 400 KB. */
const padArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(100_000, 395_000) },
);

export type Op =
  | { kind: 'put'; key: number; item: Record<string, AttributeValue | undefined>; pad: number; seed: number }
  | { kind: 'delete'; key: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key: fc.integer({ min: 0, max: 5 }),
      item: fc.record({ g: groupArb, t: tArb, ts: tsArb, amount: amountArb, type: typeArb }),
      pad: padArb,
      seed: fc.integer(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 5 }) }),
  },
);

export const scenarioArb = fc.record({
  ops: fc.array(opArb, { minLength: 10, maxLength: 40 }),
  batchSize: fc.constantFrom(3, 10, 100),
});

/** Writes the ops; a put DynamoDB itself refuses (an item over 400 KB) is no record, and is skipped. */
export async function write(pipeline: Pipeline, ops: readonly Op[]): Promise<void> {
  for (const op of ops) {
    if (op.kind === 'delete') {
      await pipeline.remove(`k${op.key}`);
      continue;
    }
    const item: Img = { id: S(`k${op.key}`) };
    for (const [name, v] of Object.entries(op.item)) if (v !== undefined) item[name] = v;
    if (op.pad > 0) item.pad = S(noise(op.pad, op.seed));
    try {
      await pipeline.put(item);
    } catch (e) {
      if ((e as Error).name !== 'ValidationException') throw e;
    }
  }
}

/**
 * The oracle over the stream records that were not dead-lettered, record by record as the write path folds them:
 * counts and sums add each new image and subtract each old one, in stream order, exactly (a running sum may pass
 * 38 digits where the write path coalesced the records of one batch); min and max take every new image. An image
 * without its time (absent or NULL) is at the record's ApproximateCreationDateTime, as the handler reads it. The
 * letters' own rows are then accounted for ({@link letterCells}): what a record's take-back left in rows outside its
 * `pendingRows` is added, what a flusher's `ROW_REJECTED` letter kept back (its `deltas`) is taken out.
 */
export function expectedOf(
  shards: readonly ShardStream[],
  letters: readonly DeadLetter[],
): Map<string, string> {
  const dead = new Set(letters.filter((l) => l.record !== undefined).map((l) => l.sequenceNumber));
  const adjust = letterCells(letters);
  const out = new Map<string, string>();
  for (const spec of SPECS) {
    const r = { ...spec.rollup, timeAttr: '__t' };
    const sums = new Map<string, Decimal>();
    const history: Img[] = [];
    const timed = (img: Img, approxMs: number): Img => ({
      ...img,
      __t: N(String(spec.timeMs(img) ?? approxMs)),
    });
    const add = (img: Img, sign: 1 | -1) => addItem(sums, r, img, sign);
    for (const { records } of shards)
      for (const rec of records) {
        if (dead.has(rec.dynamodb?.SequenceNumber ?? '')) continue;
        const approxMs = (rec.dynamodb?.ApproximateCreationDateTime ?? Number.NaN) * 1000;
        if (rec.eventName !== 'INSERT') add(timed(rec.dynamodb?.OldImage as Img, approxMs), -1);
        if (rec.eventName !== 'REMOVE') {
          const img = timed(rec.dynamodb?.NewImage as Img, approxMs);
          add(img, 1);
          history.push(img);
        }
      }
    for (const [k, v] of adjust)
      if (k.startsWith(`${r.name}|`)) sums.set(k, (sums.get(k) ?? new Decimal(0)).plus(v));
    mergeCells(out, r, sums, history);
  }
  return out;
}

/**
 * The oracle over a table's final items, as a backfill counts them: per rollup, every item with a time attribute
 * (absent or NULL: untimed, the stream's to count at its record's time) that the rollup's backfill did not
 * dead-letter (`refused`: the item ids each rollup's backfill dead-lettered, by rollup name).
 */
export function expectedOfItems(
  items: readonly Img[],
  refused: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of SPECS) {
    const r = { ...spec.rollup, timeAttr: '__t' };
    const skip = refused.get(r.name) ?? new Set<string>();
    const finals: Img[] = [];
    for (const img of items) {
      const t = spec.timeMs(img);
      if (t === undefined || skip.has(img.id?.S ?? '')) continue;
      finals.push({ ...img, __t: N(String(t)) });
    }
    const sums = new Map<string, Decimal>();
    for (const img of finals) addItem(sums, r, img, 1);
    mergeCells(out, r, sums, finals);
  }
  return out;
}

/** Adds one image's counts and sums to `sums`, exactly (the oracle's own decimals keep 100 digits). */
function addItem(sums: Map<string, Decimal>, r: OracleRollup, img: Img, sign: 1 | -1): void {
  for (const [k, v] of oracle([r], [img], [], []))
    sums.set(k, (sums.get(k) ?? new Decimal(0)).plus(new Decimal(v).times(sign)));
}

/** Adds one rollup's exact counts and sums (zeros dropped) and its min / max over `history` to `out`. */
function mergeCells(
  out: Map<string, string>,
  r: OracleRollup,
  sums: ReadonlyMap<string, Decimal>,
  history: readonly Img[],
): void {
  const additive = new Set(
    r.measures.filter((m) => m.kind === 'count' || m.kind === 'sum').map((m) => m.name),
  );
  const isAdditive = (key: string) => additive.has(key.slice(key.lastIndexOf('|') + 1));
  for (const [k, v] of sums) if (!v.isZero()) out.set(k, v.toString());
  for (const [k, v] of oracle([r], [], [], [...history])) if (!isAdditive(k)) out.set(k, v);
}

/**
 * What dead letters say about rows, as signed canonical counts and sums:
 * - a record refused in one row is taken back out of the others, and where the take-back itself cannot be held
 *   (its sum would pass 38 digits there) the row keeps it, and the letter lists only the rows still to reach
 *   (`pendingRows`): those kept rows' deltas are added (the library's own fold of the record: the oracle does not
 *   model rows);
 * - a Redis flusher's `ROW_REJECTED` letter carries the deltas of a buffered row (or part) DynamoDB refused: they
 *   were counted (their records are in the oracle) but never written, so they are taken out.
 */
export function letterCells(letters: readonly DeadLetter[]): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  const compiled = [byGroup.compiled, byPair.compiled];
  const addRows = (
    rows: Iterable<{ pk: string; sk: string; adds: Iterable<readonly [string, unknown]> }>,
    sign: 1 | -1,
  ) => {
    for (const row of rows) {
      const item: Record<string, SdkAttributeValue> = { pk: { S: row.pk }, sk: { S: row.sk } };
      for (const [attr, delta] of row.adds) item[attr] = { N: exactText(delta) };
      for (const [k, v] of canonicalCells(compiled, [item]))
        out.set(k, (out.get(k) ?? new Decimal(0)).plus(new Decimal(v).times(sign)));
    }
  };
  for (const l of letters) {
    if (l.deltas !== undefined) addRows(l.deltas, -1);
    if (l.pendingRows === undefined || l.record === undefined) continue;
    const pending = new Set(l.pendingRows.map((r) => `${r.pk}\u0000${r.sk}`));
    const co = new Coalescer();
    const folder = new Folder(compiled);
    folder.fold(decodeRecord(l.record), co);
    folder.release();
    addRows(
      planWrites(co, { now: 0 }).rows.filter((row) => !pending.has(`${row.pk}\u0000${row.sk}`)),
      1,
    );
  }
  return out;
}

/** A delta as exact decimal text: a number, a string, or a decimal (`toFixed()`). */
const exactText = (delta: unknown): string =>
  typeof delta === 'string' || typeof delta === 'number' || typeof delta === 'bigint'
    ? String(delta)
    : (delta as { toFixed(): string }).toFixed();

/** The attributes the rollups read, on one line (`-` for no image): debug output. */
export const shortImage = (img: unknown): string =>
  img === undefined
    ? '-'
    : ['g', 't', 'ts', 'amount', 'type']
        .map((k) => `${k}=${JSON.stringify((img as Img)[k] ?? null).slice(0, 40)}`)
        .join(' ');

/** One line a record (its fate, and the attributes the rollups read), for DEBUG_HOSTILE=1 runs. */
export function explain(
  shards: readonly ShardStream[],
  letters: ReadonlyArray<{ sequenceNumber: string; code: string }>,
) {
  for (const { records } of shards)
    for (const r of records) {
      const seq = r.dynamodb?.SequenceNumber ?? '';
      const code = letters.find((l) => l.sequenceNumber === seq)?.code ?? 'counted';
      console.log(
        seq,
        r.eventName,
        r.dynamodb?.Keys?.id?.S,
        code,
        '| old',
        shortImage(r.dynamodb?.OldImage),
        '| new',
        shortImage(r.dynamodb?.NewImage),
      );
    }
}

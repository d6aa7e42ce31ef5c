// Property: whatever a source table holds, every stream record is either counted exactly or dead-lettered with a
// code, and a dead-lettered one leaves no trace. Random sequences of puts and deletes of items whose attributes
// take any value DynamoDB stores (groups near the 2,048-byte key limit, numbers of 38 digits and at the ends of
// DynamoDB's range, sums that cannot be held in 38 digits, times out of range or in the wrong format, scalars of
// the wrong type, lists, maps, sets, images near 400 KB) are written to a real source table on DynamoDB Local,
// its stream is read back and delivered to the Lambda handler in random batches, with a DynamoDB dead-letter
// table, for both exactly-once strategies. Then:
// - no batch fails (a record that cannot be counted never blocks its shard);
// - the aggregate table equals an oracle that adds each record that was not dead-lettered (its new image minus
//   its old one: the handler's own semantics, so a chain of changes around a dead letter is exact) and takes
//   min / max over their new images;
// - redelivering every batch changes nothing.
// Unlike bad-input-corpus (one crafted record a batch), the records here come from DynamoDB itself and meet each
// other: unrepresentable sums across records of one batch, a change from a bad image to a good one, a removal of
// an item whose insert was dead-lettered.
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { type DeadLetter, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { decodeRecord } from '../../packages/dynotally/src/decode/index.ts';
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import { Coalescer, Folder } from '../../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../../packages/dynotally/src/plan/index.ts';
import { Decimal as OracleDecimal } from '../oracle/decimal.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { timeArb } from '../support/arbitraries.ts';
import { testClients } from '../support/ddb.ts';
import {
  canonicalCells,
  deliver,
  diffCells,
  memoryLogger,
  Pipeline,
  type ShardStream,
} from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const byGroup = defineRollup({
  name: 'hx',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  timeZone: 'Asia/Kathmandu',
  granularities: ['hour', 'day', 'all'],
  measures: { n: count(), amt: sum('amount'), top: max('amount', { granularities: ['day'] }) },
  leaderboard: { measure: 'n', granularities: ['all'] },
});
const byPair = defineRollup({
  name: 'hy',
  groupBy: ['g', 'type'],
  time: { attribute: 'ts', format: 'iso8601' },
  timeZone: 'America/St_Johns',
  granularities: ['month'],
  measures: { orders: count({ where: { type: 'order' } }), amt: sum('amount') },
});

/** The rollups in the oracle's terms, each with how it reads an image's time (epoch ms). */
const SPECS: Array<{ rollup: OracleRollup; timeMs: (img: Img) => number | undefined }> = [
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
      img.ts === undefined || img.ts.NULL !== undefined ? undefined : Date.parse(img.ts.S ?? ''),
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
function noise(bytes: number, seed: number): string {
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

type Op =
  | { kind: 'put'; key: number; item: Record<string, AttributeValue | undefined>; pad: number; seed: number }
  | { kind: 'delete'; key: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
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

const scenarioArb = fc.record({
  ops: fc.array(opArb, { minLength: 10, maxLength: 40 }),
  batchSize: fc.constantFrom(3, 10, 100),
});

/** Writes the ops; a put DynamoDB itself refuses (an item over 400 KB) is no record, and is skipped. */
async function write(pipeline: Pipeline, ops: readonly Op[]): Promise<void> {
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
 * The oracle over the records that were not dead-lettered, record by record as the handler folds them: counts
 * and sums add each new image and subtract each old one, in stream order, exactly (a running sum may pass 38 digits
 * where the handler coalesced the records of one batch); min and max take every new image. An image without its time (absent or NULL) is at the record's
 * ApproximateCreationDateTime, as the handler reads it.
 */
function expectedOf(shards: readonly ShardStream[], letters: readonly DeadLetter[]): Map<string, string> {
  const dead = new Set(letters.map((l) => l.sequenceNumber));
  const kept = keptCells(letters);
  const out = new Map<string, string>();
  for (const spec of SPECS) {
    const r = { ...spec.rollup, timeAttr: '__t' };
    const additive = new Set(
      r.measures.filter((m) => m.kind === 'count' || m.kind === 'sum').map((m) => m.name),
    );
    const isAdditive = (key: string) => additive.has(key.slice(key.lastIndexOf('|') + 1));
    const sums = new Map<string, Decimal>();
    const history: Img[] = [];
    const timed = (img: Img, approxMs: number): Img => ({
      ...img,
      __t: N(String(spec.timeMs(img) ?? approxMs)),
    });
    const add = (img: Img, sign: 1 | -1) => {
      for (const [k, v] of oracle([r], [img], [], []))
        sums.set(k, (sums.get(k) ?? new Decimal(0)).plus(new Decimal(v).times(sign)));
    };
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
    for (const [k, v] of kept)
      if (k.startsWith(`${r.name}|`)) sums.set(k, (sums.get(k) ?? new Decimal(0)).plus(v));
    for (const [k, v] of sums) if (!v.isZero()) out.set(k, v.toString());
    for (const [k, v] of oracle([r], [], [], history)) if (!isAdditive(k)) out.set(k, v);
  }
  return out;
}

/**
 * The counts and sums dead-lettered records left in rows that kept them: a record refused in one row is taken back
 * out of the others, and where the take-back itself cannot be held (its sum would pass 38 digits there) the row keeps
 * it, and the letter lists only the rows still to reach (`pendingRows`). Those rows' deltas are the library's own
 * fold of the record: the oracle does not model rows.
 */
function keptCells(letters: readonly DeadLetter[]): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  const compiled = [byGroup.compiled, byPair.compiled];
  for (const l of letters) {
    if (l.pendingRows === undefined || l.record === undefined) continue;
    const pending = new Set(l.pendingRows.map((r) => `${r.pk}\u0000${r.sk}`));
    const co = new Coalescer();
    const folder = new Folder(compiled);
    folder.fold(decodeRecord(l.record), co);
    folder.release();
    for (const row of planWrites(co, { now: 0 }).rows) {
      if (pending.has(`${row.pk}\u0000${row.sk}`)) continue;
      const item: Record<string, SdkAttributeValue> = { pk: { S: row.pk }, sk: { S: row.sk } };
      for (const [attr, delta] of row.adds)
        item[attr] = { N: typeof delta === 'number' ? String(delta) : delta.toFixed() };
      for (const [k, v] of canonicalCells(compiled, [item]))
        out.set(k, (out.get(k) ?? new Decimal(0)).plus(v));
    }
  }
  return out;
}

/** One line a record (its fate, and the attributes the rollups read), for DEBUG_HOSTILE=1 runs. */
function explain(
  shards: readonly ShardStream[],
  letters: ReadonlyArray<{ sequenceNumber: string; code: string }>,
) {
  const short = (img: unknown) =>
    img === undefined
      ? '-'
      : ['g', 't', 'ts', 'amount', 'type']
          .map((k) => `${k}=${JSON.stringify((img as Img)[k] ?? null).slice(0, 40)}`)
          .join(' ');
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
        short(r.dynamodb?.OldImage),
        '| new',
        short(r.dynamodb?.NewImage),
      );
    }
}

const STRATEGIES: ExactlyOnceStrategy[] = ['row-watermark', 'transaction'];

describe.each(STRATEGIES)('hostile source items (%s)', (strategy) => {
  let runs = 0;
  beforeAll(() => {
    runs = 0;
  });

  it('every record is counted exactly or dead-lettered without a trace, and no batch fails', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ ops, batchSize }) => {
        runs++;
        const pipeline = await Pipeline.create(clients, [byGroup, byPair], `hostile-${runs}`);
        await write(pipeline, ops);
        const shards = await pipeline.readStream();
        const dlq = await pipeline.newDeadLetterTable('hostile-dlq');
        const logger = memoryLogger();
        const handler = pipeline.handler({ strategy, deadLetter: { table: dlq }, logger });
        for (let round = 0; round < 2; round++)
          for (const shard of shards)
            for (const res of await deliver(handler, shard, { batchSize }))
              expect(
                res.batchItemFailures,
                JSON.stringify(logger.lines.filter((l) => l.level === 'error')),
              ).toEqual([]);
        const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
        for (const l of letters)
          expect(l.code).toMatch(/^(VALUE_INVALID|KEY_TOO_LARGE|NUMBER_UNREPRESENTABLE)$/);
        const dead = new Set(letters.map((l) => l.sequenceNumber));
        if (process.env.DEBUG_HOSTILE) explain(shards, letters);
        expect(dead.size).toBe(letters.length); // the redelivery dead-lettered nothing twice
        expect(diffCells(await pipeline.canonical(), expectedOf(shards, letters))).toEqual([]);
      }),
      {
        numRuns: Number(process.env.HOSTILE_RUNS ?? 10),
        seed: Number(process.env.HOSTILE_SEED ?? (strategy === 'transaction' ? 26 : 27)),
        endOnFailure: true,
      },
    );
    expect(runs).toBeGreaterThan(0);
  });
});

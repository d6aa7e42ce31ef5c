// The bad-input corpus: every way a stream record can be unusable (attribute-value shapes, numbers, times, key
// sizes, sequence numbers, event shapes, image sizes) and the delivery patterns exactly-once must not trust
// (duplicates, order). Each case is one batch [good…, the case's record, good…] on its own shard, through the
// real Lambda handler with a DynamoDB dead-letter table on DynamoDB Local. For every case: the record is in the
// dead-letter table with its code (or, for a good record, counted); the whole aggregate table equals the oracle
// over the good records only (no trace of any poison record, the rest applied exactly); redelivering every
// batch changes nothing. Both exactly-once strategies.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { ID_ENTRY_SK } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { count, defineRollup, last, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import {
  canonicalCells,
  diffCells,
  expectedCells,
  memoryLogger,
  type OracleSpec,
  replay,
  scanTable,
} from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 1_200_000, hookTimeout: 1_200_000 });
const clients = testClients();
afterAll(() => clients.destroy());

type Img = Record<string, AttributeValue>;
const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/corpus/stream/2026-03-01T00:00:00.000';
const T = Date.UTC(2026, 2, 1, 12);

// Folded first, so a record that only the second rollup rejects would leave a trace here if checks ran late.
const byPair = defineRollup({
  name: 'c2',
  groupBy: ['g', 'k'],
  time: { attribute: 'iso', format: 'iso8601' },
  granularities: ['day'],
  measures: { n: count() },
});
const byGroup = defineRollup({
  name: 'c1',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['hour', 'day', 'month', 'all'],
  measures: { n: count(), amt: sum('amount'), note: last('note', { granularities: ['hour'] }) },
});
const rollups = [byPair, byGroup];
const specs: OracleSpec[] = [
  {
    rollup: {
      name: 'c2',
      groupBy: ['g', 'k'],
      zone: 'UTC',
      granularities: ['day'],
      measures: [{ name: 'n', kind: 'count' }],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => (img.iso?.S === undefined ? undefined : Date.parse(img.iso.S)),
  },
  {
    rollup: {
      name: 'c1',
      groupBy: ['g'],
      zone: 'UTC',
      granularities: ['hour', 'day', 'month', 'all'],
      measures: [
        { name: 'n', kind: 'count' },
        { name: 'amt', kind: 'sum', attribute: 'amount' },
        { name: 'note', kind: 'last', attribute: 'note', granularities: ['hour'] },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => (img.ts?.N === undefined ? undefined : Number(img.ts.N)),
  },
];

let seq = 10_000;
const nextSeq = () => String(seq++);

/** A good image of group `g`, `minutes` after T (both rollups read it). */
function good(g: string, minutes = 0, over: Img = {}): Img {
  const t = T + minutes * 60_000;
  return {
    id: { S: `${g}/${minutes}` },
    g: { S: g },
    k: { N: String(minutes % 3) },
    ts: { N: String(t) },
    iso: { S: new Date(t).toISOString() },
    amount: { N: `${minutes}.25` },
    note: { S: `note-${minutes}` },
    ...over,
  };
}

function rec(kind: 'INSERT' | 'MODIFY' | 'REMOVE', oldImage: Img | undefined, newImage: Img | undefined) {
  const id = (newImage ?? oldImage)?.id ?? { S: 'none' };
  return {
    eventID: `ev-${seq}`,
    eventName: kind,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: ARN,
    dynamodb: {
      ApproximateCreationDateTime: T / 1000,
      Keys: { id },
      SequenceNumber: nextSeq(),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(oldImage === undefined ? {} : { OldImage: oldImage }),
      ...(newImage === undefined ? {} : { NewImage: newImage }),
    },
  } as DynamoDBRecord;
}
const ins = (img: Img) => rec('INSERT', undefined, img);
const mod = (a: Img, b: Img) => rec('MODIFY', a, b);
const rem = (a: Img) => rec('REMOVE', a, undefined);
/** Applies `f` to the record (a deep copy) to mangle what DynamoDB never sends. */
const mangle = (r: DynamoDBRecord, f: (r: Record<string, unknown>) => void): DynamoDBRecord => {
  const copy = structuredClone(r) as unknown as Record<string, unknown>;
  f(copy);
  return copy as unknown as DynamoDBRecord;
};
const body = (r: Record<string, unknown>) => r.dynamodb as Record<string, unknown>;

/**
 * One case: `poison` are the records the case is about (expected in the dead-letter table with `code`, or,
 * without a code, counted like any good record); `before`/`after` are good records around them.
 */
interface Case {
  name: string;
  code?: string;
  shardId: string;
  before: DynamoDBRecord[];
  poison: DynamoDBRecord[];
  after: DynamoDBRecord[];
  /** The batch as delivered, when not before + poison + after (order and duplicate cases). */
  delivered?: DynamoDBRecord[];
}

const cases: Case[] = [];
function add(
  name: string,
  code: string | undefined,
  make: (g: string, base: Img) => DynamoDBRecord | DynamoDBRecord[],
): void {
  const n = cases.length;
  const g = `case-${n}`;
  const base = good(g, 1);
  const before = [ins(good(g, 2)), ins(base)];
  const made = make(g, base);
  const poison = Array.isArray(made) ? made : [made];
  const after = [mod(good(g, 2), good(g, 3, { id: { S: `${g}/2` } })), ins(good(`${g}-other`, 4))];
  cases.push({
    name,
    shardId: `shard-${String(n).padStart(3, '0')}`,
    before,
    poison,
    after,
    ...(code ? { code } : {}),
  });
}
const withAttr = (name: string, code: string | undefined, attr: string, v: unknown) =>
  add(name, code, (g) => ins(good(g, 5, { [attr]: v as AttributeValue })));

// attribute-value shapes
withAttr('group {S: 5} (a number inside S)', 'VALUE_INVALID', 'g', { S: 5 });
withAttr('group {N: 5} (a number, not a string)', 'VALUE_INVALID', 'g', { N: 5 });
withAttr('amount {N: 5}', 'VALUE_INVALID', 'amount', { N: 5 });
withAttr('amount {S: "5"} (summed)', 'VALUE_INVALID', 'amount', { S: '5' });
withAttr('group with two type keys', 'VALUE_INVALID', 'g', { S: 'a', N: '1' });
withAttr('group {} (no type key)', 'VALUE_INVALID', 'g', {});
withAttr('group {X: "y"} (unknown type key)', 'VALUE_INVALID', 'g', { X: 'y' });
withAttr('group null', 'VALUE_INVALID', 'g', null);
withAttr('group a bare string', 'VALUE_INVALID', 'g', 'plain');
withAttr('group {BOOL: "true"}', 'VALUE_INVALID', 'g', { BOOL: 'true' });
withAttr('group {NULL: false}', 'VALUE_INVALID', 'g', { NULL: false });
withAttr('note {S: 7} (last value)', 'VALUE_INVALID', 'note', { S: 7 });
withAttr('ts {N: 12345} (a JSON number)', 'VALUE_INVALID', 'ts', { N: 12345 });
withAttr('group a map', 'VALUE_INVALID', 'g', { M: { a: { S: 'x' } } });
withAttr('group a list', 'VALUE_INVALID', 'g', { L: [] });
withAttr('group an empty string set', 'VALUE_INVALID', 'g', { SS: [] });
withAttr('amount a number set', 'VALUE_INVALID', 'amount', { NS: ['1'] });
withAttr('k {N: "1", S: "1"}', 'VALUE_INVALID', 'k', { N: '1', S: '1' });
withAttr('an attribute no rollup reads is malformed (not read, so counted)', undefined, 'extra', {
  M: { a: { S: 1 } },
});
withAttr('group {NULL: true} (not a member, counted nowhere)', undefined, 'g', { NULL: true });
// numbers
for (const bad of [
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1e-131',
  '1'.repeat(39),
  '1e126',
  ' 5',
  '',
  '1,5',
  '--1',
])
  withAttr(`amount ${JSON.stringify(bad)}`, 'VALUE_INVALID', 'amount', { N: bad });
withAttr('k "NaN" (a group number)', 'VALUE_INVALID', 'k', { N: 'NaN' });
// alone in their group: a cell summing 1e-130 with 2.25 would need more than 38 digits (an apply-time matter)
for (const ok of ['1e38', `1${'0'.repeat(38)}`, '1e-130', '9'.repeat(38), '-0', '-12.5e-3'])
  add(`amount ${ok} (DynamoDB stores it; counted)`, undefined, (g) =>
    ins(good(`${g}-solo`, 5, { amount: { N: ok } })),
  );
// times
const at = (t: number) => ({ N: String(t) });
withAttr('ts 1e15 ms (year 33658)', 'VALUE_INVALID', 'ts', { N: '1e15' });
withAttr('ts in year 9999', 'VALUE_INVALID', 'ts', at(Date.UTC(9999, 0, 1)));
withAttr('ts in year 10000', 'VALUE_INVALID', 'ts', at(Date.parse('+010000-01-01T00:00:00Z')));
withAttr('ts in year 0', 'VALUE_INVALID', 'ts', at(Date.parse('0000-06-01T00:00:00Z')));
withAttr('ts "1.5e400"', 'VALUE_INVALID', 'ts', { N: '1.5e400' });
withAttr('ts as text "abc"', 'VALUE_INVALID', 'ts', { S: 'abc' });
withAttr('ts negative (1960, counted)', undefined, 'ts', at(Date.UTC(1960, 5, 1)));
withAttr('ts in seconds where ms are expected (1970, counted)', undefined, 'ts', at(T / 1000));
withAttr('ts in year 9998 (counted)', undefined, 'ts', at(Date.UTC(9998, 5, 1)));
withAttr('iso "not a date"', 'VALUE_INVALID', 'iso', { S: 'not a date' });
withAttr('iso without an offset', 'VALUE_INVALID', 'iso', { S: '2026-03-01T12:00:00' });
withAttr('iso in year 9999', 'VALUE_INVALID', 'iso', { S: '9999-01-01T00:00:00Z' });
withAttr('iso in year +010000', 'VALUE_INVALID', 'iso', { S: '+010000-01-01T00:00:00Z' });
withAttr('iso with +05:30 (counted)', undefined, 'iso', { S: '2026-03-01T12:00:00+05:30' });
add('MODIFY whose new ts is in year 9999 (the old image stays counted)', 'VALUE_INVALID', (_g, base) =>
  mod(base, { ...base, ts: at(Date.UTC(9999, 5, 1)) }),
);
add('MODIFY whose old image has a NaN amount', 'VALUE_INVALID', (_g, base) =>
  mod({ ...base, amount: { N: 'NaN' } }, { ...base, amount: { N: '7' } }),
);
add('REMOVE whose old image has a year-9999 iso', 'VALUE_INVALID', (_g, base) =>
  rem({ ...base, iso: { S: '9999-06-01T00:00:00Z' } }),
);
add('MODIFY moving the group to 2,100 bytes', 'KEY_TOO_LARGE', (_g, base) =>
  mod(base, { ...base, g: { S: 'x'.repeat(2100) } }),
);
// key sizes: c2's partition key 'c2#s<g>#n<k>' is the longer one, 7 bytes plus g (k < 10)
const keyCase = (name: string, code: string | undefined, g: string) =>
  add(name, code, (_g) => ins(good(g, 0, { id: { S: `key-${cases.length}` } })));
keyCase('partition key of exactly 2,048 bytes', undefined, 'a'.repeat(2041));
keyCase('partition key of 2,049 bytes', 'KEY_TOO_LARGE', 'b'.repeat(2042));
keyCase('2,048 bytes of 3-byte characters', undefined, `c${'€'.repeat(680)}`);
keyCase('2,051 bytes of 3-byte characters', 'KEY_TOO_LARGE', `d${'€'.repeat(681)}`);
keyCase("2,048 bytes after escaping '#'", undefined, `e${'#'.repeat(680)}`);
keyCase("2,049 bytes after escaping '#' and '%'", 'KEY_TOO_LARGE', `${'%'.repeat(680)}fg`);
keyCase('2,048 bytes of 4-byte emoji', undefined, `h${'😀'.repeat(510)}`);
keyCase('2,052 bytes of 4-byte emoji', 'KEY_TOO_LARGE', `i${'😀'.repeat(511)}`);
keyCase('a 2,100-byte group value', 'KEY_TOO_LARGE', 'j'.repeat(2100));
// image and value sizes
withAttr('a 300 KB attribute no rollup reads (counted)', undefined, 'blob', { S: 'z'.repeat(300_000) });
withAttr('a last() value too large for its row', 'ITEM_TOO_LARGE', 'note', {
  S: 'n'.repeat(byGroup.compiled.lastValueMaxBytes + 1),
});
withAttr('a last() value at its limit (counted)', undefined, 'note', {
  S: 'm'.repeat(byGroup.compiled.lastValueMaxBytes),
});
withAttr(
  'maps nested 33 levels deep in a read attribute',
  'VALUE_INVALID',
  'note',
  (() => {
    let v: unknown = { S: 'x' };
    for (let i = 0; i < 33; i++) v = { M: { a: v } };
    return v;
  })(),
);
// event shapes and sequence numbers
const malformed = (name: string, f: (r: Record<string, unknown>) => void) =>
  add(name, 'RECORD_MALFORMED', (g) => mangle(ins(good(g, 5)), f));
malformed('eventName UPSERT', (r) => {
  r.eventName = 'UPSERT';
});
malformed('eventName missing', (r) => {
  delete r.eventName;
});
malformed('dynamodb missing', (r) => {
  delete r.dynamodb;
});
malformed('NewImage a string', (r) => {
  body(r).NewImage = 'garbage';
});
malformed('NewImage an array', (r) => {
  body(r).NewImage = [{ S: 'x' }];
});
malformed('SequenceNumber not digits', (r) => {
  body(r).SequenceNumber = `12a${seq}`;
});
malformed('SequenceNumber of 41 digits', (r) => {
  body(r).SequenceNumber = `1${String(seq).padStart(40, '0')}`;
});
add('REMOVE without its old image', 'IMAGE_MISSING', (g) =>
  mangle(rem(good(g, 5)), (r) => delete body(r).OldImage),
);
add('INSERT without its new image', 'IMAGE_MISSING', (g) =>
  mangle(ins(good(g, 5)), (r) => delete body(r).NewImage),
);
add('MODIFY without its new image', 'IMAGE_MISSING', (_g, base) =>
  mangle(mod(base, base), (r) => delete body(r).NewImage),
);
add('no time attribute and no ApproximateCreationDateTime', 'VALUE_INVALID', (g) =>
  mangle(ins(good(g, 5)), (r) => {
    delete body(r).ApproximateCreationDateTime;
    delete (body(r).NewImage as Img).ts;
  }),
);
// duplicates and order (nothing is poison: counted exactly once, in sequence order)
{
  const n = cases.length;
  const g = `case-${n}`;
  const a = ins(good(g, 1));
  const b = mod(good(g, 1), good(g, 2, { id: { S: `${g}/1` } }));
  const c = ins(good(g, 3));
  cases.push({
    name: 'a batch in reverse order',
    shardId: `shard-${n}`,
    before: [a, b, c],
    poison: [],
    after: [],
    delivered: [c, b, a],
  });
}
{
  const n = cases.length;
  const g = `case-${n}`;
  const a = ins(good(g, 1));
  const b = ins(good(g, 2));
  cases.push({
    name: 'the same record twice in a batch',
    shardId: `shard-${n}`,
    before: [a, b],
    poison: [],
    after: [],
    delivered: [a, b, a, b],
  });
}
{
  const n = cases.length;
  const g = `case-${n}`;
  const bad = ins(good(g, 2, { amount: { N: 'NaN' } }));
  const a = ins(good(g, 1));
  const c = ins(good(g, 3));
  cases.push({
    name: 'a poison record twice, out of order',
    code: 'VALUE_INVALID',
    shardId: `shard-${n}`,
    before: [a],
    poison: [bad],
    after: [c],
    delivered: [c, bad, a, bad],
  });
}
{
  const n = cases.length;
  const g = `case-${n}`;
  const big = (i: number) => `${'9'.repeat(20)}${String(i).padStart(20, '0')}`;
  const recs = [1, 2, 3].map((i) => {
    const r = ins(good(g, i));
    (r.dynamodb as { SequenceNumber: string }).SequenceNumber = big(i);
    return r;
  });
  cases.push({
    name: '40-digit sequence numbers',
    shardId: `shard-${n}`,
    before: recs,
    poison: [],
    after: [],
  });
}

/** Concurrent deliveries (each case has its own shard and groups, so lanes never touch the same rows). */
const LANES = 6;
const deliveredOf = (c: Case) => c.delivered ?? [...c.before, ...c.poison, ...c.after];
const seqOf = (r: DynamoDBRecord) =>
  String((r.dynamodb as { SequenceNumber?: unknown } | undefined)?.SequenceNumber);

describe('the bad-input corpus', () => {
  it('has at least 60 cases, most of them poison', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(cases.filter((c) => c.code !== undefined).length).toBeGreaterThanOrEqual(50);
  });

  describe.each<ExactlyOnceStrategy>(['row-watermark', 'transaction'])(
    'through the handler (%s)',
    (strategy) => {
      let table: string;
      let dlq: string;
      let handlers: ReturnType<typeof createStreamHandler>[];
      // the oracle over the good records only (the records of counted cases are good records too)
      const expected = expectedCells(
        specs,
        replay([
          {
            shardId: 'all',
            records: cases.flatMap((c) => [
              ...c.before,
              ...(c.code === undefined ? c.poison : []),
              ...c.after,
            ]),
          },
        ]),
      );

      beforeAll(async () => {
        table = uniqueTableName(`corpus-${strategy}`);
        dlq = uniqueTableName(`corpus-dlq-${strategy}`);
        await Promise.all([
          createAggregateTable(clients.ddb, table),
          createDeadLetterTable(clients.ddb, dlq),
        ]);
        // one handler per lane, as Lambda runs one container per shard in flight
        handlers = Array.from({ length: LANES }, () =>
          createStreamHandler({
            rollups,
            client: clients.ddb,
            table,
            strategy,
            deadLetter: { table: dlq },
            logger: memoryLogger(),
            // the handler's clock at the records' time: its late-record guard is on by default
            now: () => T,
          }),
        );
      });

      // Each case is its own shard, so cases are delivered on LANES concurrent lanes (case i always on lane
      // i mod LANES, in order): the run waits on DynamoDB Local's round trips LANES at a time, not one by one.
      const deliverAll = async () => {
        await Promise.all(
          handlers.map(async (handler, lane) => {
            for (let i = lane; i < cases.length; i += LANES) {
              const c = cases[i] as Case;
              const res = await handler({ Records: deliveredOf(c), shardId: c.shardId });
              expect(res.batchItemFailures, c.name).toEqual([]);
            }
          }),
        );
      };

      it('dead-letters each poison record with its code and applies exactly the good records', async () => {
        await deliverAll();
        // per case (its own shard): exactly one dead letter per distinct poison record, with the case's code
        // the letters (their id entries left out)
        const letters = (await scanTable(clients.ddb, dlq)).filter((l) => l.partOf?.S !== ID_ENTRY_SK);
        const got = new Map<string, string[]>();
        for (const l of letters) {
          const shard = (l.pk?.S ?? '').slice(ARN.length + 1);
          got.set(shard, [...(got.get(shard) ?? []), l.code?.S ?? '?']);
        }
        const mismatches = cases
          .map((c) => ({
            name: c.name,
            got: got.get(c.shardId) ?? [],
            want: c.code === undefined ? [] : [...new Set(c.poison.map(seqOf))].map(() => c.code),
          }))
          .filter((m) => JSON.stringify(m.got) !== JSON.stringify(m.want));
        expect(mismatches).toEqual([]);
        const actual = canonicalCells(
          rollups.map((r) => r.compiled),
          await scanTable(clients.ddb, table),
        );
        // good records only: the poison left no trace, the rest of every batch is exact
        expect(diffCells(actual, expected)).toEqual([]);
      });

      it('redelivering every batch changes nothing', async () => {
        const before = await scanTable(clients.ddb, dlq);
        await deliverAll();
        const actual = canonicalCells(
          rollups.map((r) => r.compiled),
          await scanTable(clients.ddb, table),
        );
        expect(diffCells(actual, expected)).toEqual([]);
        expect((await scanTable(clients.ddb, dlq)).length).toBe(before.length);
      });
    },
  );
});

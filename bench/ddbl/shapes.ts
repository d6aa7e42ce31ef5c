import type { AttributeValue, BatchStatementRequest, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { rowWatermarkFor, shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import { rowInsertStatement, rowUpdateStatement } from '../../packages/dynotally/src/plan/partiql-params.ts';
import type { RowWrite } from '../../packages/dynotally/src/plan/row-write.ts';
import { rowUpdateParams } from '../../packages/dynotally/src/plan/update-params.ts';
import { COST_TABLES, type CostTable } from './tables.ts';

type Item = Record<string, AttributeValue>;

/**
 * Where one write of a shape goes: `i` is the write's index in the run (the item is `i % pool`, or a new key
 * per write for `create` shapes), `seq` a number that grows with every write of the whole bench (watermarks).
 */
export interface WriteAt {
  readonly i: number;
  readonly seq: number;
  readonly round: number;
}

/**
 * One write shape of the DynamoDB Local row-cost bench: a table, the items it writes to (populated before
 * the rounds; none for shapes that create a new item each write) and the request of one write, either an
 * `UpdateItem` or a PartiQL statement (sent 25 to a `BatchExecuteStatement`).
 *
 * @example
 * ```ts
 * const shape = SHAPES.find((s) => s.name === 'naive-add1');
 * ```
 */
export interface Shape {
  readonly name: string;
  /** What the shape isolates, for the report. */
  readonly about: string;
  readonly table: CostTable;
  /** The stored item of pool slot `k` (key included); absent: every write creates its item. */
  readonly item?: (k: number) => Item;
  readonly update?: (at: WriteAt) => UpdateItemCommandInput;
  readonly statement?: (at: WriteAt) => BatchStatementRequest;
  /** `ReturnConsumedCapacity` of the `BatchExecuteStatement` (statements only). */
  readonly batchCapacity?: 'TOTAL';
}

/** Items each shape writes to, round-robin. */
export const POOL = 1_000;
const SK = 'H2026-10-25T01:00';
const n = (v: number | string): AttributeValue => ({ N: String(v) });
const s = (v: string): AttributeValue => ({ S: v });
const key = (shape: string, k: number): Item => ({ pk: s(`${shape}#${k}`), sk: s(SK) });
const keyAt = (shape: string, at: WriteAt): Item => key(shape, at.i % POOL);
const newKey = (shape: string, at: WriteAt): Item => ({ pk: s(`${shape}#r${at.round}#${at.i}`), sk: s(SK) });

/** A small item: the key and one counter (what a naive row holds). */
const small = (shape: string) => (k: number) => ({ ...key(shape, k), orders: n(5) });

/** An item of about `bytes` bytes: minute cells `orders_<m>` / `views_<m>` (11–12 bytes each) until it is that large. */
const sized = (shape: string, bytes: number) => (k: number) => {
  const item: Item = { ...key(shape, k), orders: n(5) };
  let size = 40;
  for (let m = 0; size < bytes; m++) {
    const name = `${m % 2 === 0 ? 'orders' : 'views'}_${m}`;
    item[name] = n(m % 7);
    size += name.length + 2;
  }
  return item;
};

/** An item holding 20 counters `a0`…`a19`. */
const wide = (shape: string) => (k: number) => {
  const item: Item = { ...key(shape, k) };
  for (let a = 0; a < 20; a++) item[`a${a}`] = n(a);
  return item;
};

/** `ADD` of `count` attributes `a0…` (or `orders`). */
const addN = (shape: string, attrs: readonly string[], extra: Partial<UpdateItemCommandInput> = {}) => {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const terms: string[] = [];
  attrs.forEach((a, j) => {
    names[`#a${j}`] = a;
    values[`:v${j}`] = n(1);
    terms.push(`#a${j} :v${j}`);
  });
  return (at: WriteAt): UpdateItemCommandInput => ({
    TableName: '',
    Key: keyAt(shape, at),
    UpdateExpression: `ADD ${terms.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...extra,
  });
};

const WATERMARK = '~abcdEFGH';
const stateValue = (seq: number): AttributeValue => n(`${100_000_000_000 + seq}493000`);

/** `SET` of a watermark attribute beside one `ADD`, with or without the row-watermark condition. */
const withWatermark =
  (shape: string, conditioned: boolean, extra: Partial<UpdateItemCommandInput> = {}) =>
  (at: WriteAt): UpdateItemCommandInput => ({
    TableName: '',
    Key: keyAt(shape, at),
    UpdateExpression: 'SET #w = :w ADD #a0 :v0',
    ExpressionAttributeNames: { '#w': WATERMARK, '#a0': 'orders' },
    ExpressionAttributeValues: {
      ':w': stateValue(at.seq),
      ':v0': n(1),
      ...(conditioned ? { ':wf': stateValue(at.seq) } : {}),
    },
    ...(conditioned ? { ConditionExpression: 'attribute_not_exists(#w) OR #w < :wf' } : {}),
    ...extra,
  });

// the e2e rollup's hour row (bench/suites/s4-rollup.ts): counters, a few minute cells, ttl, updatedAt, the shard state
const SHARD = shardStateAttrs('arn:aws:dynamodb:local:000000000000:table/bench-src/stream/x', 'shardId-0001');
const seqOf = (seq: number): string => (10n ** 20n + BigInt(seq)).toString();

/** A realistic dynotally hour row of the e2e workload: 4 minute cells of 2 measures, totals, ttl, updatedAt, state. */
const hourRow = (shape: string) => (k: number) => {
  const item: Item = {
    ...key(shape, k),
    updatedAt: n(1_764_680_000_000),
    ttl: n(1_762_000_000),
    orders: n(3),
    views: n(41),
    [SHARD.attr]: stateValue(0),
  };
  for (const m of [3, 17, 29, 44]) {
    item[`orders_${m}`] = n(1);
    item[`views_${m}`] = n(9);
  }
  return item;
};

/** The e2e row write: `views` and one minute's `views_<m>` added, ttl, updatedAt and the shard's state set. */
const rowWrite = (pk: string, at: WriteAt): RowWrite => ({
  rollup: 'store',
  pk,
  sk: SK,
  adds: [
    ['views', 1],
    [`views_${[3, 17, 29, 44][at.i % 4]}`, 1],
  ],
  ttl: 1_762_000_000,
  leaderboard: undefined,
  firstSeq: seqOf(at.seq),
  lastSeq: seqOf(at.seq),
  lastApproxMs: 1_761_350_400_000,
});

const rowWatermark = (at: WriteAt) => rowWatermarkFor(SHARD, seqOf(at.seq), seqOf(at.seq), 1_761_350_400_000);

/** dynotally's exactly-once `UpdateItem` of the row (as `writeRowOnce` sends it, unsampled). */
const dtUpdate =
  (shape: string, table: CostTable, options: { capacity: boolean; condition: boolean }) =>
  (at: WriteAt): UpdateItemCommandInput => {
    const input = rowUpdateParams(COST_TABLES[table], rowWrite(`${shape}#${at.i % POOL}`, at), {
      now: 1_764_680_000_000 + at.seq,
      watermark: options.condition ? rowWatermark(at) : undefined,
    });
    if (!options.condition) {
      // the watermark SET kept, its condition and the legacy REMOVE gone
      input.UpdateExpression = input.UpdateExpression?.replace('SET #u = :u', 'SET #u = :u, #w = :w');
      (input.ExpressionAttributeNames as Record<string, string>)['#w'] = SHARD.attr;
      (input.ExpressionAttributeValues as Record<string, AttributeValue>)[':w'] = stateValue(at.seq);
    }
    return options.capacity ? { ...input, ReturnConsumedCapacity: 'INDEXES' } : input;
  };

/** dynotally's exactly-once PartiQL `UPDATE` of the row (the default path, attributes known to exist). */
const dtStatement =
  (shape: string, table: CostTable) =>
  (at: WriteAt): BatchStatementRequest =>
    rowUpdateStatement(COST_TABLES[table], rowWrite(`${shape}#${at.i % POOL}`, at), {
      now: 1_764_680_000_000 + at.seq,
      watermark: rowWatermark(at),
    });

/** dynotally's PartiQL `INSERT` of a new row. */
const dtInsert =
  (shape: string, table: CostTable) =>
  (at: WriteAt): BatchStatementRequest =>
    rowInsertStatement(COST_TABLES[table], rowWrite(`${shape}#r${at.round}#${at.i}`, at), {
      now: 1_764_680_000_000 + at.seq,
      watermark: rowWatermark(at),
    });

const pqAdd =
  (shape: string, table: CostTable) =>
  (at: WriteAt): BatchStatementRequest => ({
    Statement: `UPDATE "${COST_TABLES[table]}" SET "orders" = "orders" + ? WHERE "pk" = ? AND "sk" = ?`,
    Parameters: [n(1), keyAt(shape, at).pk as AttributeValue, s(SK)],
  });

const shape = (
  def: Omit<Shape, 'update' | 'statement'> & {
    update?: (name: string) => (at: WriteAt) => UpdateItemCommandInput;
    statement?: (name: string) => (at: WriteAt) => BatchStatementRequest;
  },
): Shape => {
  const table = COST_TABLES[def.table];
  const { update: makeUpdate, statement: makeStatement, ...rest } = def;
  const update = makeUpdate?.(def.name);
  return {
    ...rest,
    ...(update ? { update: (at: WriteAt) => ({ ...update(at), TableName: table }) } : {}),
    ...(makeStatement ? { statement: makeStatement(def.name) } : {}),
  };
};

const ORDERS = ['orders'];
const A = (count: number): string[] => Array.from({ length: count }, (_, j) => `a${j}`);

/**
 * Every shape of the bench, in their base order (rounds alternate it).
 *
 * @example
 * ```ts
 * for (const s of SHAPES) console.log(s.name, s.about);
 * ```
 */
export const SHAPES: readonly Shape[] = [
  shape({
    name: 'naive-add1',
    about: 'ADD 1 attribute, small item (naive)',
    table: 'plain',
    item: small('naive-add1'),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'add1-0.3k',
    about: 'ADD 1 attribute, 0.3 KB item',
    table: 'plain',
    item: sized('add1-0.3k', 300),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'add1-1k',
    about: 'ADD 1 attribute, 1 KB item',
    table: 'plain',
    item: sized('add1-1k', 1_024),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'add1-2k',
    about: 'ADD 1 attribute, 2 KB item',
    table: 'plain',
    item: sized('add1-2k', 2_048),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'add1-4k',
    about: 'ADD 1 attribute, 4 KB item',
    table: 'plain',
    item: sized('add1-4k', 4_096),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'add1-w20',
    about: 'ADD 1 of 20 attributes',
    table: 'plain',
    item: wide('add1-w20'),
    update: (x) => addN(x, A(1)),
  }),
  shape({
    name: 'add5-w20',
    about: 'ADD 5 of 20 attributes',
    table: 'plain',
    item: wide('add5-w20'),
    update: (x) => addN(x, A(5)),
  }),
  shape({
    name: 'add20-w20',
    about: 'ADD 20 of 20 attributes',
    table: 'plain',
    item: wide('add20-w20'),
    update: (x) => addN(x, A(20)),
  }),
  shape({
    name: 'set-w',
    about: 'ADD 1 + SET watermark, no condition',
    table: 'plain',
    item: small('set-w'),
    update: (x) => withWatermark(x, false),
  }),
  shape({
    name: 'cond-w',
    about: 'ADD 1 + SET watermark, condition on it',
    table: 'plain',
    item: small('cond-w'),
    update: (x) => withWatermark(x, true),
  }),
  shape({
    name: 'cond-w-rvccf',
    about: 'cond-w + ReturnValuesOnConditionCheckFailure ALL_OLD',
    table: 'plain',
    item: small('cond-w-rvccf'),
    update: (x) => withWatermark(x, true, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
  }),
  shape({
    name: 'rcc-indexes',
    about: 'naive + ReturnConsumedCapacity INDEXES',
    table: 'plain',
    item: small('rcc-indexes'),
    update: (x) => addN(x, ORDERS, { ReturnConsumedCapacity: 'INDEXES' }),
  }),
  shape({
    name: 'rcc-total',
    about: 'naive + ReturnConsumedCapacity TOTAL',
    table: 'plain',
    item: small('rcc-total'),
    update: (x) => addN(x, ORDERS, { ReturnConsumedCapacity: 'TOTAL' }),
  }),
  shape({
    name: 'rv-all-old',
    about: 'naive + ReturnValues ALL_OLD',
    table: 'plain',
    item: small('rv-all-old'),
    update: (x) => addN(x, ORDERS, { ReturnValues: 'ALL_OLD' }),
  }),
  shape({
    name: 'rv-all-new',
    about: 'naive + ReturnValues ALL_NEW',
    table: 'plain',
    item: small('rv-all-new'),
    update: (x) => addN(x, ORDERS, { ReturnValues: 'ALL_NEW' }),
  }),
  shape({
    name: 'ttl-table',
    about: 'naive on a table with TTL enabled',
    table: 'ttl',
    item: small('ttl-table'),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'gsi-absent',
    about: 'naive on a table with the GSI, item not in it',
    table: 'gsi',
    item: small('gsi-absent'),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'gsi-in-all',
    about: 'ADD 1, item in the GSI (ALL projection)',
    table: 'gsi',
    item: (k) => ({ ...small('gsi-in-all')(k), lbk: s(`store#H#${k % 8}`), lbv: n(k) }),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'gsi-in-keys',
    about: 'ADD 1, item in the GSI (KEYS_ONLY projection)',
    table: 'gsiKeys',
    item: (k) => ({ ...small('gsi-in-keys')(k), lbk: s(`store#H#${k % 8}`), lbv: n(k) }),
    update: (x) => addN(x, ORDERS),
  }),
  shape({
    name: 'gsi-move',
    about: 'ADD to the GSI sort key (index entry moves)',
    table: 'gsi',
    item: (k) => ({ ...small('gsi-move')(k), lbk: s(`store#H#${k % 8}`), lbv: n(k) }),
    update: (x) => addN(x, ['lbv']),
  }),
  shape({
    name: 'create-add1',
    about: 'ADD 1 on a missing item (creates it)',
    table: 'plain',
    update: (x) => (at) => ({ ...addN(x, ORDERS)(at), Key: newKey(x, at) }),
  }),
  shape({
    name: 'create-add1-gsi',
    about: 'create-add1 on the GSI table (item not in the index)',
    table: 'gsi',
    update: (x) => (at) => ({ ...addN(x, ORDERS)(at), Key: newKey(x, at) }),
  }),
  shape({
    name: 'create-ttl-plain',
    about: 'ADD 1 + SET ttl on a missing item, plain table',
    table: 'plain',
    update: (x) => (at) => ({
      ...addN(x, ORDERS)(at),
      Key: newKey(x, at),
      UpdateExpression: 'SET #t = :t ADD #a0 :v0',
      ExpressionAttributeNames: { '#t': 'ttl', '#a0': 'orders' },
      ExpressionAttributeValues: { ':t': n(1_900_000_000), ':v0': n(1) },
    }),
  }),
  shape({
    name: 'create-ttl-ttl',
    about: 'ADD 1 + SET ttl on a missing item, TTL table',
    table: 'ttl',
    update: (x) => (at) => ({
      ...addN(x, ORDERS)(at),
      Key: newKey(x, at),
      UpdateExpression: 'SET #t = :t ADD #a0 :v0',
      ExpressionAttributeNames: { '#t': 'ttl', '#a0': 'orders' },
      ExpressionAttributeValues: { ':t': n(1_900_000_000), ':v0': n(1) },
    }),
  }),
  shape({
    name: 'pq-add1',
    about: 'PartiQL UPDATE a = a + ?, 25 a BatchExecuteStatement',
    table: 'plain',
    item: small('pq-add1'),
    statement: (x) => pqAdd(x, 'plain'),
  }),
  shape({
    name: 'dt-row-ui',
    about: 'dynotally e2e hour row, UpdateItem as sent (agg table, RCC INDEXES)',
    table: 'agg',
    item: hourRow('dt-row-ui'),
    update: (x) => dtUpdate(x, 'agg', { capacity: true, condition: true }),
  }),
  shape({
    name: 'dt-row-ui-norcc',
    about: 'dt-row-ui without ReturnConsumedCapacity',
    table: 'agg',
    item: hourRow('dt-row-ui-norcc'),
    update: (x) => dtUpdate(x, 'agg', { capacity: false, condition: true }),
  }),
  shape({
    name: 'dt-row-ui-nocond',
    about: 'dt-row-ui without the watermark condition (SET kept)',
    table: 'agg',
    item: hourRow('dt-row-ui-nocond'),
    update: (x) => dtUpdate(x, 'agg', { capacity: true, condition: false }),
  }),
  shape({
    name: 'dt-row-ui-plain',
    about: 'dt-row-ui on a plain table (no GSI, no TTL), no RCC',
    table: 'plain',
    item: hourRow('dt-row-ui-plain'),
    update: (x) => dtUpdate(x, 'plain', { capacity: false, condition: true }),
  }),
  shape({
    name: 'dt-row-pq',
    about: 'dynotally e2e hour row, PartiQL UPDATE as sent (agg table, RCC TOTAL)',
    table: 'agg',
    item: hourRow('dt-row-pq'),
    statement: (x) => dtStatement(x, 'agg'),
    batchCapacity: 'TOTAL',
  }),
  shape({
    name: 'dt-row-pq-norcc',
    about: 'dt-row-pq without ReturnConsumedCapacity',
    table: 'agg',
    item: hourRow('dt-row-pq-norcc'),
    statement: (x) => dtStatement(x, 'agg'),
  }),
  shape({
    name: 'dt-row-pq-plain',
    about: 'dt-row-pq on a plain table, no RCC',
    table: 'plain',
    item: hourRow('dt-row-pq-plain'),
    statement: (x) => dtStatement(x, 'plain'),
  }),
  shape({
    name: 'dt-insert-pq',
    about: 'dynotally PartiQL INSERT of a new row (agg table, RCC TOTAL)',
    table: 'agg',
    statement: (x) => dtInsert(x, 'agg'),
    batchCapacity: 'TOTAL',
  }),
  shape({
    name: 'dt-insert-pq-norcc',
    about: 'dt-insert-pq without ReturnConsumedCapacity',
    table: 'agg',
    statement: (x) => dtInsert(x, 'agg'),
  }),
  shape({
    name: 'dt-insert-pq-gsi',
    about: 'dt-insert-pq on the GSI table without TTL',
    table: 'gsi',
    statement: (x) => dtInsert(x, 'gsi'),
    batchCapacity: 'TOTAL',
  }),
  shape({
    name: 'dt-insert-pq-ttl',
    about: 'dt-insert-pq on a plain table with TTL',
    table: 'ttl',
    statement: (x) => dtInsert(x, 'ttl'),
    batchCapacity: 'TOTAL',
  }),
  shape({
    name: 'dt-insert-pq-plain',
    about: 'dt-insert-pq on a plain table (no GSI, no TTL)',
    table: 'plain',
    statement: (x) => dtInsert(x, 'plain'),
    batchCapacity: 'TOTAL',
  }),
];

// The dry run (`Applier.plan`, `dynotally plan --dry-run`) shows the requests apply sends: a fresh applier's
// `apply` against DynamoDB Local, every write request recorded as given to the SDK, sends exactly the `sends` of a
// fresh applier's `plan` for the same records, on the PartiQL path (the default), with `update-item`, and under the
// `transaction` strategy; and for a batch written in parts (a row wider than one write), where the later parts
// update the rows the first one inserted. Reads (stored exclusions, sampled rows read back, the watermark item) are
// not compared: the dry run shows writes.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { insertRecords } from './insert-record.ts';
import { hourOfRecords, NOW as WIDE_NOW, wideRollup } from './wide-batch.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const WRITES = new Set(['BatchExecuteStatement', 'UpdateItem', 'TransactWriteItems']);
const sent: Array<{ api: string; input: unknown }> = [];
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    const api = String(context.commandName).replace(/Command$/, '');
    // the retention history record (`~ret#<rollup>`, before a process's first rows) is not a row write, and not
    // in `sends` (Applier.plan says so)
    const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
    if (WRITES.has(api) && !key?.startsWith('~ret#')) sent.push({ api, input: structuredClone(args.input) });
    return next(args);
  },
  { step: 'initialize', name: 'recordWrites' },
);

/** Counters, a sum, a max and a leaderboard: rows with every kind of write. */
const meter = defineRollup({
  name: 'meter',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'all'],
  measures: { n: count(), wh: sum('wh'), peak: max('watts') },
  leaderboard: { measure: 'n', granularities: ['all'] },
});
const NOW = 1_763_800_000_000 + 7_200_000;

/** 40 INSERTs of 12 groups over two hours: 12 day rows (packing the hours) and 12 all-time rows, with maxima. */
function meterRecords(): DynamoDBRecord[] {
  const insert = insertRecords();
  return Array.from({ length: 40 }, (_, i) => {
    const r = insert(`m${i}`, {
      g: { S: `g${i % 12}` },
      wh: { N: String(i + 1) },
      watts: { N: String((i * 37) % 101) },
    });
    (r.dynamodb?.NewImage as Record<string, { N: string }>).t = {
      N: String(1_763_800_000_000 + Math.floor(i / 20) * 3_600_000 + i * 1000),
    };
    return r;
  });
}

/**
 * DynamoDB Local reports no capacity for PartiQL, so after its first answer the applier stops asking for it
 * (`askCapacity`); the service always reports it, and the dry run shows the service's requests.
 */
function comparable(sends: ReadonlyArray<{ api: string; input: unknown }>) {
  return sends.map(({ api, input }) => {
    if (api !== 'BatchExecuteStatement') return { api, input };
    const { ReturnConsumedCapacity: _, ...rest } = input as Record<string, unknown>;
    return { api, input: rest };
  });
}

async function planAndApply(
  options: Omit<ApplierOptions, 'client' | 'table'>,
  records: DynamoDBRecord[],
  client: DynamoDBClient = clients.ddb,
) {
  const table = uniqueTableName('plan-sends');
  await createAggregateTable(client, table);
  const input = { records, shardId: 'shardId-plan-1' };
  const plan = new Applier({ client, table, ...options }).plan(input);
  sent.length = 0;
  await new Applier({ client, table, ...options }).apply(input);
  return { plan, sent: [...sent] };
}

describe('the dry run shows what apply sends', () => {
  it('on the PartiQL path: the BatchExecuteStatements, INSERTs of new rows, 25 a request', async () => {
    const { plan, sent } = await planAndApply({ rollups: [meter], now: () => NOW }, meterRecords());
    const statements = (of: 'rows' | 'extrema') =>
      plan.sends.flatMap((s) =>
        s.of === of && s.api === 'BatchExecuteStatement' ? (s.input.Statements ?? []) : [],
      );
    expect(plan.sends.every((s) => s.api === 'BatchExecuteStatement')).toBe(true);
    // 24 new rows (12 groups' day rows, packing the hours, and all-time rows): INSERTs, one request
    expect(statements('rows').map((s) => s.Statement?.split(' ')[0])).toEqual(Array(24).fill('INSERT'));
    expect(plan.sends.filter((s) => s.of === 'rows')).toHaveLength(1);
    // 36 maxima (of hours and all time), never two on one row in a request
    expect(statements('extrema')).toHaveLength(36);
    for (const s of plan.sends) expect(s.input).toMatchObject({ ReturnConsumedCapacity: 'TOTAL' });
    expect(comparable(sent)).toEqual(comparable(plan.sends.map(({ api, input }) => ({ api, input }))));
  });

  it('with update-item: an UpdateItem a row and an extremum', async () => {
    const { plan, sent } = await planAndApply(
      { rollups: [meter], now: () => NOW, write: { api: 'update-item' } },
      meterRecords(),
    );
    expect(plan.sends.map((s) => `${s.api} ${s.of}`)).toEqual([
      ...Array(24).fill('UpdateItem rows'),
      ...Array(36).fill('UpdateItem extrema'),
    ]);
    expect(sent).toEqual(plan.sends.map(({ api, input }) => ({ api, input })));
  });

  it('under the transaction strategy: the max UpdateItems, then the TransactWriteItems with the watermark item', async () => {
    const { plan, sent } = await planAndApply(
      { rollups: [meter], now: () => NOW, strategy: 'transaction' },
      meterRecords(),
    );
    expect(plan.sends.filter((s) => s.api === 'TransactWriteItems')).toHaveLength(1);
    expect(sent).toEqual(plan.sends.map(({ api, input }) => ({ api, input })));
  });

  it('for a batch written in parts: the later parts UPDATE the rows the first part INSERTed', async () => {
    const { plan, sent } = await planAndApply(
      { rollups: [wideRollup], now: () => WIDE_NOW },
      hourOfRecords(),
    );
    expect(plan.parts.length).toBeGreaterThan(1);
    const statements = plan.sends.flatMap((s) =>
      s.api === 'BatchExecuteStatement' ? (s.input.Statements ?? []).map((x) => x.Statement ?? '') : [],
    );
    expect(statements.filter((s) => s.startsWith('INSERT'))).toHaveLength(2);
    expect(statements.filter((s) => s.startsWith('UPDATE'))).toHaveLength(2 * (plan.parts.length - 1));
    expect(comparable(sent)).toEqual(comparable(plan.sends.map(({ api, input }) => ({ api, input }))));
  });
});

describe('the dry run of a batch written in parts under the transaction strategy', () => {
  it("conditions each part's transaction on the watermark the part before moved", async () => {
    const { plan, sent } = await planAndApply(
      { rollups: [wideRollup], now: () => WIDE_NOW, strategy: 'transaction' },
      hourOfRecords(),
    );
    const transactions = plan.sends.flatMap((s) => (s.api === 'TransactWriteItems' ? [s.input] : []));
    expect(transactions.length).toBe(plan.parts.length);
    const conditions = transactions.map((t) => t.TransactItems?.at(-1)?.Update?.ConditionExpression);
    expect(conditions).toEqual([
      'attribute_not_exists(#s)',
      ...Array(plan.parts.length - 1).fill('#s = :expected'),
    ]);
    expect(sent).toEqual(plan.sends.map(({ api, input }) => ({ api, input })));
  });
});

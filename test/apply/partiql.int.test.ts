// PartiQL row writes (BatchExecuteStatement, 25 a request) on DynamoDB Local: first the store behaviour the
// batched writer relies on, each fact checked; then exactness against the oracle with the UpdateItem path
// as the other contender, with redelivery, and with `if_not_exists` forced to be rejected (the service does
// not document it for PartiQL) so the fallback to UpdateItem is exercised.
import {
  BatchExecuteStatementCommand,
  type BatchStatementRequest,
  CreateTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApplyReport, emptyReport, mergeReports } from '../../packages/dynotally/src/apply/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  Pipeline,
  replay,
  type ShardStream,
} from '../support/pipeline.ts';
import { mixedOps, ORACLE, run } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const S = (s: string) => ({ S: s });
const N = (n: string) => ({ N: n });

describe('DynamoDB Local PartiQL, as the batched writer relies on it', () => {
  let table: string;
  const send = (Statements: BatchStatementRequest[]) =>
    clients.ddb.send(new BatchExecuteStatementCommand({ Statements, ReturnConsumedCapacity: 'TOTAL' }));
  const one = async (Statement: string, Parameters: Array<{ S: string } | { N: string }>) =>
    (await send([{ Statement, Parameters, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }])).Responses?.[0];

  beforeAll(async () => {
    table = uniqueTableName('partiql-facts');
    await clients.ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    const r = await one(`INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'a': ?, 'w': ?}`, [
      S('p'),
      S('s'),
      N('1'),
      S('0005|1'),
    ]);
    expect(r?.Error).toBeUndefined();
  });

  it('INSERT of an existing item fails with DuplicateItem (and no old item)', async () => {
    const r = await one(`INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?}`, [S('p'), S('s')]);
    expect(r?.Error?.Code).toBe('DuplicateItem');
  });

  it('a watermark-conditioned UPDATE (one SET per path, as documented) applies, and a failed condition returns ConditionalCheckFailed with the old item', async () => {
    const update = `UPDATE "${table}" SET "a" = "a" + ? SET "w" = ? WHERE "pk" = ? AND "sk" = ? AND ("w" IS MISSING OR "w" < ?)`;
    expect((await one(update, [N('2'), S('0009|1'), S('p'), S('s'), S('0006')]))?.Error).toBeUndefined();
    const failed = await one(update, [N('2'), S('0009|1'), S('p'), S('s'), S('0006')]);
    expect(failed?.Error?.Code).toBe('ConditionalCheckFailed');
    expect(failed?.Error?.Item).toMatchObject({ a: N('3'), w: S('0009|1') });
  });

  it('UPDATE of a missing item fails (no upsert) without an old item', async () => {
    const r = await one(`UPDATE "${table}" SET "a" = "a" + ? WHERE "pk" = ? AND "sk" = ?`, [
      N('1'),
      S('x'),
      S('s'),
    ]);
    expect(r?.Error?.Code).toBe('ConditionalCheckFailed');
    expect(r?.Error?.Item).toBeUndefined();
  });

  it('SET b = b + ? fails when b is absent; if_not_exists(b, 0) + ? works on DynamoDB Local', async () => {
    const plain = await one(`UPDATE "${table}" SET "b" = "b" + ? WHERE "pk" = ? AND "sk" = ?`, [
      N('1'),
      S('p'),
      S('s'),
    ]);
    expect(plain?.Error?.Code).toBe('ValidationError');
    const ine = await one(
      `UPDATE "${table}" SET "b" = if_not_exists("b", 0) + ? WHERE "pk" = ? AND "sk" = ?`,
      [N('1'), S('p'), S('s')],
    );
    expect(ine?.Error).toBeUndefined();
  });

  it('two statements on one key reject the whole request; 26 statements are rejected; 25 pass', async () => {
    const up = {
      Statement: `UPDATE "${table}" SET "a" = "a" + ? WHERE "pk" = ? AND "sk" = ?`,
      Parameters: [N('1'), S('p'), S('s')],
    };
    await expect(send([up, up])).rejects.toMatchObject({ name: 'ValidationException' });
    const inserts = Array.from({ length: 26 }, (_, i) => ({
      Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?}`,
      Parameters: [S(`m${i}`), S('s')],
    }));
    await expect(send(inserts)).rejects.toMatchObject({ name: 'ValidationException' });
    const ok = await send(inserts.slice(0, 25));
    expect(ok.Responses?.every((r) => r.Error === undefined)).toBe(true);
  });

  it('reports no consumed capacity for PartiQL (so the applier meters it from item sizes)', async () => {
    const out = await send([
      {
        Statement: `UPDATE "${table}" SET "a" = "a" + ? WHERE "pk" = ? AND "sk" = ?`,
        Parameters: [N('1'), S('p'), S('s')],
      },
    ]);
    expect(out.ConsumedCapacity ?? []).toEqual([]);
  });
});

describe('PartiQL row writes against the oracle', () => {
  let pipeline: Pipeline;
  let shard: ShardStream;
  let expected: Map<string, string>;

  beforeAll(async () => {
    pipeline = await Pipeline.create(clients, referenceRollups, 'partiql');
    await run(pipeline, mixedOps(33));
    const shards = await pipeline.readStream();
    shard = shards[0] as ShardStream;
    expected = expectedCells(Object.values(ORACLE), replay(shards));
  });

  const total = (): { report: ApplyReport; onReport: (r: ApplyReport) => void } => {
    const report = emptyReport();
    return { report, onReport: (r) => mergeReports(report, r) };
  };

  it('equals the oracle with redelivery, in a fraction of UpdateItem requests, with estimated write units', async () => {
    const viaPartiql = total();
    const partiqlTable = await pipeline.newAggregateTable('agg-partiql');
    const handler = pipeline.handler({ table: partiqlTable, onReport: viaPartiql.onReport });
    for (const r of await deliver(handler, shard, { batchSize: 100 }))
      expect(r.batchItemFailures).toEqual([]);
    // redelivered in other cuts: every row is already applied or re-folded
    for (const r of await deliver(handler, shard, { batchSize: 70 })) expect(r.batchItemFailures).toEqual([]);
    expect(diffCells(await pipeline.canonical(partiqlTable), expected)).toEqual([]);

    const viaItem = total();
    const itemTable = await pipeline.newAggregateTable('agg-update-item');
    const h2 = pipeline.handler({
      table: itemTable,
      write: { api: 'update-item' },
      onReport: viaItem.onReport,
    });
    for (const r of await deliver(h2, shard, { batchSize: 100 })) expect(r.batchItemFailures).toEqual([]);
    expect(diffCells(await pipeline.canonical(itemTable), expected)).toEqual([]);

    expect(viaPartiql.report.rowsAlreadyApplied).toBeGreaterThan(0);
    expect(viaPartiql.report.estimatedWriteUnits).toBeGreaterThan(0);
    expect(viaItem.report.estimatedWriteUnits).toBe(0);
    expect(viaPartiql.report.requests).toBeLessThan(viaItem.report.requests);
    // min / max / last ride in the same kind of batches: every one of them is accounted for either way
    expect(viaItem.report.extremaWritten).toBeGreaterThan(0);
    expect(viaPartiql.report.extremaWritten).toBeGreaterThanOrEqual(viaItem.report.extremaWritten);
  });

  it('falls back to UpdateItem when the store rejects if_not_exists, stops using it, and stays exact', async () => {
    // a client whose store "does not know" if_not_exists: the statement text is rewritten to an unknown function
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    let rewritten = 0;
    let batch = 0;
    const rewrittenIn = new Set<number>();
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Statements?: BatchStatementRequest[] };
        for (const s of input.Statements ?? []) {
          if (s.Statement?.includes('if_not_exists(')) {
            s.Statement = s.Statement.replaceAll('if_not_exists(', 'no_such_function(');
            rewritten++;
            rewrittenIn.add(batch);
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'rejectIfNotExists' },
    );
    try {
      const t = total();
      const table = await pipeline.newAggregateTable('agg-no-if-not-exists');
      const inner = pipeline.handler({ table, client, onReport: t.onReport });
      const handler: typeof inner = (event, ...rest) => {
        batch++;
        return inner(event, ...rest);
      };
      // small batches: rows gain attributes across batches, which is where if_not_exists is used
      for (const r of await deliver(handler, shard, { batchSize: 20 }))
        expect(r.batchItemFailures).toEqual([]);
      for (const r of await deliver(handler, shard, { batchSize: 45 }))
        expect(r.batchItemFailures).toEqual([]);
      expect(rewritten).toBeGreaterThan(0);
      expect(rewrittenIn.size).toBe(1); // one UpdateItem success after a rejection, and it is never sent again
      expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});

// A statement of a BatchExecuteStatement that DynamoDB applied but answered with a retryable error
// (InternalServerError: the write may or may not have landed) is sent again with its shard-state condition, so it
// counts once. The answers are rewritten on the SDK's middleware stack; every request reaches DynamoDB Local.
// Mutation pass (s35m): a retried UPDATE sent without its condition counted the batch twice and no test saw it.
import type { BatchExecuteStatementCommandOutput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, scanTable } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
const faulty = testClients();
afterAll(() => {
  clients.destroy();
  faulty.destroy();
});

/** While armed, every statement DynamoDB applied is answered as an InternalServerError (once per command). */
let armed = 0;
let rewritten = 0;
faulty.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    const out = await next(args);
    if (context.commandName !== 'BatchExecuteStatementCommand' || armed === 0) return out;
    armed--;
    const output = out.output as BatchExecuteStatementCommandOutput;
    output.Responses = (output.Responses ?? []).map((r) => {
      if (r.Error !== undefined) return r;
      rewritten++;
      return { Error: { Code: 'InternalServerError', Message: 'injected: applied, answered as failed' } };
    });
    return out;
  },
  { step: 'initialize', name: 's35mStatementErrors', priority: 'high' },
);

const rollup = defineRollup({
  name: 'orders',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});
const T = Date.UTC(2026, 2, 1, 12);
const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-03-01T00:00:00.000';

const insert = (seq: string, id: string, g: string, amount: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: ARN,
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: T / 1000,
    Keys: { id: { S: id } },
    NewImage: { id: { S: id }, g: { S: g }, ts: { N: String(T) }, amount: { N: amount } },
  },
});

describe('a statement applied but answered with a retryable error', () => {
  it('is sent again under its condition: the rows it wrote count once', async () => {
    const table = uniqueTableName('statement-retry');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ lateRecords: 'apply', client: faulty.ddb, table, rollups: [rollup] });
    // the rows are known after the first batch, so the second batch's statements are conditioned UPDATEs
    await applier.apply({
      records: [insert('100', 'a', 'x', '1'), insert('101', 'b', 'y', '2')],
      shardId: 's',
    });
    armed = 1;
    const { report } = await applier.apply({
      records: [insert('200', 'c', 'x', '3'), insert('201', 'd', 'y', '4')],
      shardId: 's',
    });
    expect(armed).toBe(0);
    expect(rewritten).toBeGreaterThan(0);
    expect(report.retries).toBeGreaterThan(0);
    const cells = Object.fromEntries(canonicalCells([rollup.compiled], await scanTable(clients.ddb, table)));
    const cell = (g: string, gran: string, bucket: string, m: string) =>
      cells[`orders|[["string","${g}"]]|${gran}|${bucket}|${m}`];
    for (const [gran, bucket] of [
      ['day', 'D2026-03-01'],
      ['all', 'ALL'],
    ] as const) {
      expect(cell('x', gran, bucket, 'n')).toBe('2');
      expect(cell('x', gran, bucket, 'amt')).toBe('4');
      expect(cell('y', gran, bucket, 'n')).toBe('2');
      expect(cell('y', gran, bucket, 'amt')).toBe('6');
    }
  });
});

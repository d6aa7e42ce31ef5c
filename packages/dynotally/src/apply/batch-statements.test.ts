import type {
  BatchExecuteStatementCommand,
  ConsumedCapacity,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { emptyReport } from './apply-report.ts';
import {
  type KeyedStatement,
  packStatements,
  REQUEST_JSON_BYTES,
  sendStatements,
} from './batch-statements.ts';

/** A client that answers every statement with success, with or without consumed capacity, and keeps the requests. */
function fakeClient(capacity: ConsumedCapacity[] | undefined) {
  const asked: Array<string | undefined> = [];
  const client = {
    send: async (command: BatchExecuteStatementCommand) => {
      asked.push(command.input.ReturnConsumedCapacity);
      return {
        Responses: (command.input.Statements ?? []).map(() => ({})),
        ...(capacity === undefined ? {} : { ConsumedCapacity: capacity }),
      };
    },
  };
  return { client: client as unknown as DynamoDBClient, asked };
}

const statements = (n: number): KeyedStatement[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, statement: { Statement: `s${i}` } }));

describe('sendStatements: ReturnConsumedCapacity', () => {
  it('stops asking once the store answered without capacity (DynamoDB Local), for the rest of the applier', async () => {
    const { client, asked } = fakeClient(undefined);
    const state = { askCapacity: true };
    const ctx = { client, concurrency: 1, report: emptyReport(), capacity: state };
    const first = await sendStatements(statements(75), ctx);
    expect(asked).toEqual(['TOTAL', undefined, undefined]);
    expect(state.askCapacity).toBe(false);
    expect(first.reportedUnits).toBe(0);
    expect(first.responses.every((r) => r !== undefined)).toBe(true);
    await sendStatements(statements(25), ctx);
    expect(asked.at(-1)).toBeUndefined();
  });

  it('keeps asking while the store reports capacity (the service)', async () => {
    const { client, asked } = fakeClient([{ TableName: 't', CapacityUnits: 25 }]);
    const state = { askCapacity: true };
    const answers = await sendStatements(statements(50), {
      client,
      concurrency: 1,
      report: emptyReport(),
      capacity: state,
    });
    expect(asked).toEqual(['TOTAL', 'TOTAL']);
    expect(state.askCapacity).toBe(true);
    expect(answers.reportedUnits).toBe(50);
  });

  it('always asks without a capacity holder (callers that keep no state)', async () => {
    const { client, asked } = fakeClient(undefined);
    await sendStatements(statements(50), { client, concurrency: 1, report: emptyReport() });
    expect(asked).toEqual(['TOTAL', 'TOTAL']);
  });

  it('keeps asking after a request whose statements all failed came back without capacity', async () => {
    // the service may leave the capacity out of a request that wrote nothing; a later write reports it
    const asked: Array<string | undefined> = [];
    let call = 0;
    const client = {
      send: async (command: BatchExecuteStatementCommand) => {
        asked.push(command.input.ReturnConsumedCapacity);
        const statements = command.input.Statements ?? [];
        if (call++ === 0)
          return { Responses: statements.map(() => ({ Error: { Code: 'ValidationError', Message: 'x' } })) };
        return {
          Responses: statements.map(() => ({})),
          ...(command.input.ReturnConsumedCapacity === undefined
            ? {}
            : { ConsumedCapacity: [{ TableName: 't', CapacityUnits: statements.length }] }),
        };
      },
    } as unknown as DynamoDBClient;
    const state = { askCapacity: true };
    const ctx = { client, concurrency: 1, report: emptyReport(), capacity: state };
    await sendStatements(statements(25), ctx);
    const second = await sendStatements(statements(25), ctx);
    expect(asked).toEqual(['TOTAL', 'TOTAL']);
    expect(state.askCapacity).toBe(true);
    expect(second.reportedUnits).toBe(25);
  });
});

describe('packStatements: request size', () => {
  const statement = (key: string, bytes?: number): KeyedStatement => ({
    key,
    statement: { Statement: 'INSERT INTO "t" VALUE {}' },
    bytes,
  });
  it('keeps the statements of a request within REQUEST_JSON_BYTES, a larger one alone', () => {
    const mb = 1024 * 1024;
    const big = Array.from({ length: 25 }, (_, i) => statement(`k${i}`, mb));
    const requests = packStatements(big);
    expect(requests.map((r) => r.length)).toEqual([8, 8, 8, 1]);
    for (const r of requests) expect(r.length * mb).toBeLessThanOrEqual(REQUEST_JSON_BYTES);
    expect(packStatements([statement('a', 20 * mb), statement('b', mb)]).map((r) => r.length)).toEqual([
      1, 1,
    ]);
    // statements of no measured size are packed 25 to a request, as before
    expect(
      packStatements(Array.from({ length: 30 }, (_, i) => statement(`s${i}`))).map((r) => r.length),
    ).toEqual([25, 5]);
  });
});

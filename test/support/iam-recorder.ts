// What IAM actions the requests of a DynamoDB client need, recorded per table: DynamoDB Local enforces no IAM, so
// the tests that hold the CDK construct's grants to what the library sends use this.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { testClients } from './ddb.ts';
import { startFaultProxy } from './fault-proxy.ts';

type AnyInput = Record<string, unknown>;

/**
 * The IAM actions (with their table) a request needs: PartiQL by statement, transactions item by item.
 *
 * @example
 * ```ts
 * actionsOf('GetItemCommand', { TableName: 't' }); // [['t', 'GetItem']]
 * ```
 */
export function actionsOf(command: string, input: AnyInput): Array<[string, string]> {
  const op = command.replace(/Command$/, '');
  const partiql = (statement: string): string =>
    `PartiQL${statement
      .trim()
      .split(/\s+/)[0]
      ?.toLowerCase()
      .replace(/^./, (c) => c.toUpperCase())}`;
  const tableOf = (statement: string) => /(?:INTO|UPDATE|FROM)\s+"([^"]+)"/i.exec(statement)?.[1] ?? '?';
  if (op === 'BatchExecuteStatement')
    return (input.Statements as Array<{ Statement: string }>).map((s) => [
      tableOf(s.Statement),
      partiql(s.Statement),
    ]);
  if (op === 'ExecuteStatement')
    return [[tableOf(input.Statement as string), partiql(input.Statement as string)]];
  if (op === 'TransactWriteItems')
    return (input.TransactItems as Array<Record<string, { TableName: string }>>).map((item) => {
      const [kind, body] = Object.entries(item)[0] as [string, { TableName: string }];
      return [body.TableName, kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`];
    });
  if (op === 'BatchGetItem' || op === 'BatchWriteItem')
    return Object.keys(input.RequestItems as object).map((t) => [t, op]);
  return [[input.TableName as string, op]];
}

/**
 * A client (destroyed after the file's tests) that records every action its requests need, by table.
 *
 * @example
 * ```ts
 * const { client, seen } = recordingClient();
 * await new Applier({ client, table, rollups }).apply(batch);
 * [...(seen.get(table) ?? [])]; // ['dynamodb:PartiQLInsert', …]
 * ```
 */
export function recordingClient(): { client: DynamoDBClient; seen: Map<string, Set<string>> } {
  const c = testClients();
  const seen = new Map<string, Set<string>>();
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      for (const [table, action] of actionsOf(context.commandName as string, args.input as AnyInput)) {
        const set = seen.get(table) ?? new Set<string>();
        set.add(`dynamodb:${action}`);
        seen.set(table, set);
      }
      return next(args);
    },
    { step: 'initialize', name: 'iamRecorder' },
  );
  afterAll(() => c.destroy());
  return { client: c.ddb, seen };
}

/**
 * An endpoint in front of DynamoDB Local (`target`) that records, by table, the actions of every request sent to it:
 * for what a process builds its own clients for (the CLI run in process with `--endpoint`). Closed after the file's
 * tests.
 *
 * @example
 * ```ts
 * const { endpoint, seen } = await recordingEndpoint(await ddbReady());
 * await runCli(['dead-letters', 'list', '--endpoint', endpoint, '--dead-letter-table', letters], fakeIo());
 * ```
 */
export async function recordingEndpoint(
  target: string,
): Promise<{ endpoint: string; seen: Map<string, Set<string>> }> {
  const seen = new Map<string, Set<string>>();
  const proxy = await startFaultProxy({
    target,
    onRequest: (operation, body) => {
      for (const [table, action] of actionsOf(operation, JSON.parse(body.toString('utf8')) as AnyInput)) {
        const set = seen.get(table) ?? new Set<string>();
        set.add(`dynamodb:${action}`);
        seen.set(table, set);
      }
    },
  });
  afterAll(() => proxy.close());
  return { endpoint: proxy.endpoint, seen };
}

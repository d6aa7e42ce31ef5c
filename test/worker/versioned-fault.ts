// Shared by the tests of a versioned stream worker whose write side keeps failing on one record
// (packages/dynotally/src/worker/worker-versioned-dead-letter.int, test/review/s21-worker-probe-lost.int): the five
// tables such a worker runs on, and a client whose writes of one group's rows in one version DynamoDB refuses.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

/** The tables of a versioned worker test, and the source table's stream. */
export interface VersionedTables {
  readonly source: string;
  readonly aggregate: string;
  readonly leases: string;
  readonly deadLetter: string;
  readonly claims: string;
  readonly streamArn: string;
}

/**
 * Creates a source table (key `id`, with its stream), an aggregate, lease, dead-letter and claim table, named from
 * `prefix`, and waits for the stream to be described.
 *
 * @example
 * ```ts
 * const t = await versionedTables(clients, 'wvdl');
 * ```
 */
export async function versionedTables(
  clients: ReturnType<typeof testClients>,
  prefix: string,
): Promise<VersionedTables> {
  const [source, aggregate, leases, deadLetter, claims] = ['src', 'agg', 'lease', 'dlq', 'cl'].map((t) =>
    uniqueTableName(`${prefix}-${t}`),
  ) as [string, string, string, string, string];
  const [streamArn] = await Promise.all([
    createSourceTable(clients.ddb, source, { id: 'S' }),
    createAggregateTable(clients.ddb, aggregate),
    createLeaseTable(clients.ddb, leases),
    createDeadLetterTable(clients.ddb, deadLetter),
    createClaimTable(clients.ddb, claims),
  ]);
  await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return { source, aggregate, leases, deadLetter, claims, streamArn };
}

/**
 * A client of its own on which DynamoDB refuses (a `ValidationException` no retry gets past) every `UpdateItem` of
 * `table` whose partition key starts with `keyPrefix` and holds `group`, while `refusing()` says so.
 *
 * @example
 * ```ts
 * const { ddb: faulty, destroy } = refusingRows(t.aggregate, 'tallies.v2#', 'gpoison');
 * ```
 */
export function refusingRows(
  table: string,
  keyPrefix: string,
  group: string,
  refusing: () => boolean = () => true,
): { ddb: DynamoDBClient; destroy(): void } {
  const { ddb, destroy } = testClients();
  ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args as { input: { TableName?: string; Key?: { pk?: { S?: string } } } }).input;
      const pk = input.Key?.pk?.S ?? '';
      if (
        refusing() &&
        context.commandName === 'UpdateItemCommand' &&
        input.TableName === table &&
        pk.startsWith(keyPrefix) &&
        pk.includes(group)
      )
        throw Object.assign(new Error('Invalid UpdateExpression: an injected refusal'), {
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      return next(args);
    },
    { step: 'initialize', name: 'refusingRows' },
  );
  return { ddb, destroy };
}

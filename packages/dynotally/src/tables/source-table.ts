import {
  type CreateTableCommandInput,
  type DynamoDBClient,
  type ScalarAttributeType,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import type { ProvisionOptions } from './provision-options.ts';
import { provisionTable } from './provision-table.ts';
import { waitForActive } from './wait-for-active.ts';

/**
 * Key attributes of a source table in order: the first is the partition key, the optional
 * second the sort key. Attribute name → type.
 */
export type SourceTableKeys = Readonly<Record<string, ScalarAttributeType>>;

/**
 * The `CreateTable` input for a source table with a `NEW_AND_OLD_IMAGES` stream.
 *
 * @example
 * ```ts
 * const spec = sourceTableSpec('jobs', { customerId: 'S', jobId: 'S' });
 * ```
 */
export function sourceTableSpec(
  name: string,
  keys: SourceTableKeys = { pk: 'S' },
): CreateTableCommandInput & { TableName: string } {
  const entries = Object.entries(keys);
  if (entries.length < 1 || entries.length > 2) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `a source table key has one or two attributes (partition key, then sort key); got ${entries.length}: pass e.g. { pk: 'S' } or { pk: 'S', sk: 'S' }`,
      { details: { table: name, keys } },
    );
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: entries.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: entries.map(([AttributeName], i) => ({ AttributeName, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/**
 * Creates (or verifies) a table whose changes dynotally consumes, with a `NEW_AND_OLD_IMAGES`
 * stream (enabled on an existing table that has none), for tests, benchmarks and the dev stack.
 * Returns the stream ARN. Idempotent.
 *
 * @example
 * ```ts
 * const streamArn = await createSourceTable(client, 'jobs', { customerId: 'S', jobId: 'S' });
 * ```
 */
export async function createSourceTable(
  client: DynamoDBClient,
  name: string,
  keys: SourceTableKeys = { pk: 'S' },
  options: ProvisionOptions = {},
): Promise<string> {
  let table = await provisionTable(client, sourceTableSpec(name, keys), options);
  const stream = table.StreamSpecification;
  if (!stream?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    table = await waitForActive(client, name, options.timeoutMs);
  } else if (stream.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
    throw new DynotallyError(
      'TABLE_SCHEMA_MISMATCH',
      `table '${name}' streams ${stream.StreamViewType}, dynotally needs NEW_AND_OLD_IMAGES to subtract old values: change the stream view type (disable, then enable the stream) or use another table`,
      {
        details: {
          table: name,
          expected: { streamViewType: 'NEW_AND_OLD_IMAGES' },
          found: { streamViewType: stream.StreamViewType },
        },
      },
    );
  }
  if (!table.LatestStreamArn) {
    throw new DynotallyError(
      'TABLE_NOT_ACTIVE',
      `table '${name}' reports no stream ARN yet: run again in a moment`,
      {
        details: { table: name },
      },
    );
  }
  return table.LatestStreamArn;
}

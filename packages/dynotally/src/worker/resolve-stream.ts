import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import type { PageSender } from '../streams/index.ts';
import { describeTablePatiently } from './describe-patiently.ts';

/**
 * The stream to consume: `streamArn` as given, else the latest stream of `sourceTable` (`DescribeTable`).
 * Throws `CONFIG_INVALID` when neither is given or the table has no stream, `TABLE_NOT_FOUND` when the table
 * does not exist.
 *
 * @example
 * ```ts
 * const arn = await resolveStreamArn(client, { sourceTable: 'jobs' });
 * ```
 */
export async function resolveStreamArn(
  client: DynamoDBClient,
  source: { streamArn?: string | undefined; sourceTable?: string | undefined },
  /** Sends each DescribeTable (a per-request bound: the worker's `readTimeoutMs`). */
  perRequest?: PageSender,
  /** Aborted when the worker is stopped during its start: a throttled DescribeTable is not waited out. */
  stop?: AbortSignal,
): Promise<string> {
  if (source.streamArn !== undefined && source.streamArn !== '') return source.streamArn;
  const table = source.sourceTable;
  if (table === undefined || table === '') {
    throw new DynotallyError(
      'CONFIG_INVALID',
      'the stream worker needs streamArn or sourceTable: give the ARN of a DynamoDB stream or the name of the table that has it',
    );
  }
  const description = await describeTablePatiently(client, table, perRequest, stop);
  if (description === undefined) {
    throw new DynotallyError(
      'TABLE_NOT_FOUND',
      `source table '${table}' does not exist: check the name, region and endpoint, or create it (createSourceTable)`,
      {
        details: { table },
      },
    );
  }
  const arn = description.LatestStreamArn;
  if (arn === undefined || description.StreamSpecification?.StreamEnabled === false) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `source table '${table}' has no stream: enable a NEW_AND_OLD_IMAGES stream on it (aws dynamodb update-table --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES)`,
      {
        details: { table },
      },
    );
  }
  return arn;
}

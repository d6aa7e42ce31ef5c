import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { DynotallyError } from '../errors/index.ts';

/** The stream view type dynotally needs: the fold subtracts old images and adds new ones. */
const NEEDED = 'NEW_AND_OLD_IMAGES';

/**
 * The stream view type of a table defined in this app (`Table` or `TableV2`), read from its CloudFormation
 * resource; `undefined` when it cannot be known at synth (an imported table, a token).
 *
 * @example
 * ```ts
 * const source = new Table(stack, 'Jobs', { partitionKey, stream: StreamViewType.NEW_IMAGE });
 * knownStreamViewType(source); // 'NEW_IMAGE'
 * ```
 */
export function knownStreamViewType(table: ITable): string | undefined {
  const child = table.node.defaultChild;
  if (child === undefined || !CfnResource.isCfnResource(child)) return undefined;
  const type = child.cfnResourceType;
  if (type !== 'AWS::DynamoDB::Table' && type !== 'AWS::DynamoDB::GlobalTable') return undefined;
  // CfnTable and CfnGlobalTable both carry `streamSpecification: { streamViewType }`; TableV2 sets it lazily.
  let spec = (child as CfnResource & { streamSpecification?: unknown }).streamSpecification;
  if (Token.isUnresolved(spec)) {
    try {
      spec = Stack.of(child).resolve(spec);
    } catch {
      return undefined;
    }
  }
  if (spec === undefined || spec === null || typeof spec !== 'object') return undefined;
  const view = (spec as { streamViewType?: unknown }).streamViewType;
  return typeof view === 'string' && !Token.isUnresolved(view) ? view : undefined;
}

/**
 * Fails at synth, with `SOURCE_STREAM_INVALID`, when the source table has no stream or a stream whose view
 * type is known not to be `NEW_AND_OLD_IMAGES` (a `KEYS_ONLY`, `NEW_IMAGE` or `OLD_IMAGE` stream cannot
 * subtract what a MODIFY or REMOVE took away). An imported table's view type cannot be read: it passes, and
 * records without the images it needs become `IMAGE_MISSING` dead letters at run time.
 *
 * @example
 * ```ts
 * checkSourceStream(Table.fromTableName(stack, 'Jobs', 'jobs')); // throws SOURCE_STREAM_INVALID: no stream
 * ```
 */
export function checkSourceStream(table: ITable): void {
  const path = table.node.path;
  if (table.tableStreamArn === undefined) {
    throw new DynotallyError(
      'SOURCE_STREAM_INVALID',
      `DynotallyAggregates: source table ${path} has no stream: create it with stream: StreamViewType.NEW_AND_OLD_IMAGES (Table) or dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES (TableV2), or import it with Table.fromTableAttributes({ tableArn, tableStreamArn })`,
      { details: { table: path, needed: NEEDED } },
    );
  }
  const view = knownStreamViewType(table);
  if (view !== undefined && view !== NEEDED) {
    throw new DynotallyError(
      'SOURCE_STREAM_INVALID',
      `DynotallyAggregates: source table ${path} streams ${view}, but rollups need the old and the new image of every change: set its stream view type to StreamViewType.NEW_AND_OLD_IMAGES`,
      { details: { table: path, streamViewType: view, needed: NEEDED } },
    );
  }
}

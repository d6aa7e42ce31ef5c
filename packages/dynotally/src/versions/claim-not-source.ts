import type { DynamoDBRecord } from 'aws-lambda';
import { batchStream } from '../decode/one-stream.ts';
import { DynotallyError } from '../errors/index.ts';

/** `arn:…:table/<name>/stream/<label>`: the table part and the name. */
const STREAM_ARN = /^(arn:[^:\s]+:dynamodb:[^:\s]*:[^:\s]*:table\/([A-Za-z0-9_.-]{3,255}))\/stream\//;

/**
 * Refuses a stream side (`createVersionedWriteSide`, so the handler and the worker) whose claim table is the table
 * its batch's stream comes from: the claims and their reads would go into the source table, each claim a change of
 * it, read back by the stream side as a record of the source (a backfill refuses the same mix-up since review s40z).
 * The source is the table the records' `eventSourceARN` names (by name, or by ARN when `claimTable` is an ARN);
 * records naming no stream are not checked.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both, before anything is claimed or written.
 * @example
 * ```ts
 * checkClaimTableNotSource('dynotally-claims', event.Records); // throws when the records are of 'dynotally-claims'
 * ```
 */
export function checkClaimTableNotSource(claimTable: string, records: readonly DynamoDBRecord[]): void {
  const m = STREAM_ARN.exec(batchStream(records));
  if (m === null) return;
  const [, tableArn, name] = m;
  if (claimTable !== (claimTable.startsWith('arn:') ? tableArn : name)) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `the claim table '${claimTable}' is the source table whose stream this side reads: the claims would be written into the table the stream side reads, each one a change of it; give the claim table the backfill uses (dynotally backfill creates one, default dynotally-claims)`,
    { details: { claimTable, source: tableArn } },
  );
}

import type { DynamoDBRecord } from 'aws-lambda';
import { DynotallyError, ERROR_CODES, type ErrorCode } from '../errors/index.ts';

/**
 * The field that marks a stream record the stream worker could not read: its images held a value this build of
 * the SDK cannot model. The record keeps its event fields, sequence number, creation time and keys (when they
 * could be read); {@link decodeRecord} refuses it with the mark's code and reason, so the applier dead-letters it
 * like any poison record and the shard moves on. Stored in the letter as it is, the mark refuses a replay too.
 *
 * @example
 * ```ts
 * UNREADABLE_FIELD; // 'dynotallyUnreadable'
 * ```
 */
export const UNREADABLE_FIELD = 'dynotallyUnreadable';

/**
 * Why a stream record could not be read (see {@link UNREADABLE_FIELD}).
 *
 * @example
 * ```ts
 * const mark: UnreadableMark = { code: 'RECORD_MALFORMED', reason: 'a stream attribute value has an unknown type ($unknown)' };
 * ```
 */
export interface UnreadableMark {
  readonly code: ErrorCode;
  readonly reason: string;
}

/**
 * A record marked unreadable: `record` (what could be read of it) with the mark set.
 *
 * @example
 * ```ts
 * const envelope = markUnreadable({ eventName: 'INSERT', dynamodb: { SequenceNumber: '100' } }, mark);
 * ```
 */
export function markUnreadable(record: DynamoDBRecord, mark: UnreadableMark): DynamoDBRecord {
  return Object.assign(record, { [UNREADABLE_FIELD]: { code: mark.code, reason: mark.reason } });
}

/**
 * Throws the mark's error when the record is marked unreadable (`RECORD_MALFORMED` when the stored mark is not
 * one this module wrote); returns otherwise.
 *
 * @example
 * ```ts
 * refuseUnreadable(envelope); // throws RECORD_MALFORMED: the stream record could not be read: …
 * ```
 */
export function refuseUnreadable(record: DynamoDBRecord): void {
  const mark = (record as Record<string, unknown>)[UNREADABLE_FIELD];
  if (mark === undefined) return;
  const { code, reason } = (mark ?? {}) as Partial<Record<keyof UnreadableMark, unknown>>;
  const known = typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
  throw new DynotallyError(
    known ? (code as ErrorCode) : 'RECORD_MALFORMED',
    `the stream record could not be read, so it cannot be counted (its keys and sequence number are kept): ${typeof reason === 'string' ? reason : 'no reason recorded'}`,
    { details: { eventID: record.eventID, sequenceNumber: record.dynamodb?.SequenceNumber } },
  );
}

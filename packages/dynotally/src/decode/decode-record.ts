import type { DynamoDBRecord } from 'aws-lambda';
import { DynotallyError } from '../errors/index.ts';
import type { Change, ChangeKind, Image } from './change.ts';
import { refuseUnreadable } from './unreadable-record.ts';

/** `PADS[n]`: the zeros that pad an n-digit sequence number to 40 digits (no slice per record). */
const PADS: readonly string[] = Array.from({ length: 41 }, (_, n) => '0'.repeat(40 - n));

/**
 * Zero-pads a stream sequence number to 40 digits (string order = numeric order).
 *
 * @example
 * ```ts
 * padSequence('42'); // '0000000000000000000000000000000000000042'
 * ```
 */
export function padSequence(seq: string): string {
  const padded = paddedSequence(seq);
  if (padded === undefined) {
    throw new DynotallyError('RECORD_MALFORMED', `sequence number '${seq}' is not 1–40 digits`, {
      details: { sequenceNumber: seq },
    });
  }
  return padded;
}

/**
 * {@link padSequence} for a value that may not be a sequence number at all: undefined instead of an error (a
 * record whose number is missing or malformed, looked up before the fold dead-letters it).
 *
 * @example
 * ```ts
 * paddedSequence('42'); // '0000000000000000000000000000000000000042'
 * paddedSequence(undefined); // undefined
 * ```
 */
export function paddedSequence(seq: unknown): string | undefined {
  if (typeof seq !== 'string' || !allDigits(seq)) return undefined;
  return seq.length === 40 ? seq : (PADS[seq.length] as string) + seq;
}

/** 1–40 ASCII digits (a char loop: several times cheaper than a regular expression on the hot path). */
function allDigits(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 40) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const NO_OPTIONS: DecodeOptions = {};

/** Options for {@link decodeRecord}. */
export interface DecodeOptions {
  /** The shard the record came from, when the caller knows it. */
  shardId?: string | undefined;
}

/**
 * Decodes a Lambda `DynamoDBRecord` (or a Streams API record converted to that shape) into a {@link Change}.
 * Throws `RECORD_MALFORMED` for anything that is not a DynamoDB stream record, and for a record the stream worker
 * marked unreadable (`markUnreadable`: a value the SDK could not model); image presence is
 * checked later, by the rollups that need an image (`IMAGE_MISSING`).
 *
 * @example
 * ```ts
 * const change = decodeRecord({
 *   eventID: '1', eventName: 'INSERT', eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/x',
 *   dynamodb: { SequenceNumber: '100', ApproximateCreationDateTime: 1763800000,
 *     NewImage: { pk: { S: 'job#1' }, customerId: { S: 'c1' } } },
 * });
 * change.kind; // 'INSERT'
 * ```
 */
export function decodeRecord(record: DynamoDBRecord, options: DecodeOptions = NO_OPTIONS): Change {
  if (record === null || typeof record !== 'object') malformed('the record is not an object', record);
  refuseUnreadable(record); // a record the stream worker could not read: dead-lettered with its own reason
  const kind = record.eventName;
  if (kind !== 'INSERT' && kind !== 'MODIFY' && kind !== 'REMOVE')
    malformed(`eventName '${String(kind)}' is not INSERT, MODIFY or REMOVE`, record);
  const body = record.dynamodb;
  if (body === undefined || body === null || typeof body !== 'object')
    malformed('the record has no dynamodb body', record);
  const seq = body.SequenceNumber;
  if (typeof seq !== 'string') malformed('dynamodb.SequenceNumber is missing', record);
  const approx = approximateMs(body.ApproximateCreationDateTime as unknown);

  return {
    kind: kind as ChangeKind,
    oldImage: image(body.OldImage, record),
    newImage: image(body.NewImage, record),
    sequenceNumber: padSequence(seq),
    shardId: options.shardId,
    source: record.eventSourceARN ?? '',
    approximateTimeMs: approx,
    ttlDelete: kind === 'REMOVE' && isTtlService(record),
    eventId: record.eventID ?? seq,
    record,
  };
}

function isTtlService(record: DynamoDBRecord): boolean {
  const identity = record.userIdentity as { type?: string; principalId?: string } | undefined;
  return identity?.type === 'Service' && identity.principalId === 'dynamodb.amazonaws.com';
}

function approximateMs(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (v instanceof Date) return v.getTime();
  return Number.NaN;
}

function image(v: unknown, record: DynamoDBRecord): Image | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    malformed('an image is not a map of attribute values', record);
  return v as Image;
}

function malformed(reason: string, record: unknown): never {
  throw new DynotallyError('RECORD_MALFORMED', `malformed stream record: ${reason}`, {
    details: { reason, eventID: (record as { eventID?: unknown } | null)?.eventID },
  });
}

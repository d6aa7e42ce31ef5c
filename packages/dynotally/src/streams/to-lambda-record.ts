import type {
  _Record,
  AttributeValue as StreamAttributeValue,
  StreamRecord as StreamsStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue, StreamRecord } from 'aws-lambda';
import { markUnreadable } from '../decode/unreadable-record.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { shownDetail } from '../strings/shown-value.ts';

const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function toLambdaValue(value: StreamAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new DynotallyError(
    'RECORD_MALFORMED',
    `a stream attribute value has an unknown type (${Object.keys(value).join(', ')}): upgrade @aws-sdk/client-dynamodb-streams and dynotally`,
    { details: { value: shownDetail(value) } },
  );
}

/**
 * A map of attributes in Lambda's shape. Every attribute is defined as an own property: assigning one named
 * `__proto__` would set the map's prototype instead. The AWS SDK keeps such an attribute without its value (a guard
 * against prototype pollution, `@aws-sdk/core`): it is kept as `{}`, no DynamoDB JSON, so a rollup that does not read
 * it folds the item as a Lambda mapping delivers it, and one that reads it refuses it (`VALUE_INVALID`, naming the
 * attribute) rather than finding it absent (review s41e).
 */
function toLambdaImage(image: Record<string, StreamAttributeValue>): Record<string, LambdaAttributeValue> {
  const out: Record<string, LambdaAttributeValue> = {};
  for (const [name, value] of Object.entries(image)) {
    const converted = value === undefined ? ({} as LambdaAttributeValue) : toLambdaValue(value);
    // a plain assignment for every other name (the worker converts every attribute of every record)
    if (name === '__proto__')
      Object.defineProperty(out, name, {
        value: converted,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[name] = converted;
  }
  return out;
}

function toLambdaStreamRecord(record: StreamsStreamRecord): StreamRecord {
  const out: StreamRecord = {};
  if (record.ApproximateCreationDateTime !== undefined) {
    // Lambda delivers whole epoch seconds; the SDK parses them into a Date.
    out.ApproximateCreationDateTime = Math.floor(record.ApproximateCreationDateTime.getTime() / 1000);
  }
  if (record.Keys) out.Keys = toLambdaImage(record.Keys);
  if (record.NewImage) out.NewImage = toLambdaImage(record.NewImage);
  if (record.OldImage) out.OldImage = toLambdaImage(record.OldImage);
  if (record.SequenceNumber !== undefined) out.SequenceNumber = record.SequenceNumber;
  if (record.SizeBytes !== undefined) out.SizeBytes = record.SizeBytes;
  if (record.StreamViewType !== undefined) out.StreamViewType = record.StreamViewType;
  return out;
}

/**
 * Converts a record from the DynamoDB Streams API (AWS SDK v3 `GetRecords`) into the shape
 * Lambda delivers in a `DynamoDBStreamEvent`: binary values as base64 strings,
 * `ApproximateCreationDateTime` as epoch seconds, `eventSourceARN` set to the stream ARN and
 * `userIdentity` (TTL deletes) as `{ type, principalId }`.
 *
 * @example
 * ```ts
 * const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
 * const event = { Records: Records.map((r) => toLambdaRecord(r, streamArn)) };
 * ```
 */
export function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  return lambdaEnvelope(
    record,
    streamArn,
    record.dynamodb ? toLambdaStreamRecord(record.dynamodb) : undefined,
  );
}

/** A Lambda record's envelope around `body` (its event fields, source ARN and identity), in Lambda's field order. */
function lambdaEnvelope(record: _Record, streamArn: string, body: StreamRecord | undefined): DynamoDBRecord {
  const out: DynamoDBRecord = {};
  if (record.eventID !== undefined) out.eventID = record.eventID;
  if (record.eventName !== undefined) out.eventName = record.eventName;
  out.eventVersion = record.eventVersion ?? '1.1';
  out.eventSource = 'aws:dynamodb';
  if (record.awsRegion !== undefined) out.awsRegion = record.awsRegion;
  if (body !== undefined) out.dynamodb = body;
  out.eventSourceARN = streamArn;
  if (record.userIdentity) {
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  }
  return out;
}

/**
 * {@link toLambdaRecord} for a reader that must not stop at one record (the stream worker): a record that cannot be
 * converted (an attribute value of a type this SDK build cannot model, `{ $unknown: [name, value] }`) comes back
 * marked unreadable instead of throwing: its event fields, sequence number, creation time, size and keys (when they
 * convert) without images, with the conversion's code and reason. The decoder refuses it with them, so the applier
 * dead-letters it (`RECORD_MALFORMED`) in its place in the batch and the shard reads on. A replay of its letter is
 * refused the same way (`still-poison`): count such a record by hand from its keys, or upgrade and re-run a backfill.
 *
 * @example
 * ```ts
 * const records = (page.Records ?? []).map((r) => readStreamRecord(r, streamArn));
 * ```
 */
export function readStreamRecord(record: _Record, streamArn: string): DynamoDBRecord {
  try {
    return toLambdaRecord(record, streamArn);
  } catch (e) {
    const body = record.dynamodb;
    let d: StreamRecord | undefined;
    if (body !== undefined) {
      d = {};
      if (body.ApproximateCreationDateTime instanceof Date)
        d.ApproximateCreationDateTime = Math.floor(body.ApproximateCreationDateTime.getTime() / 1000);
      if (body.Keys !== undefined) {
        try {
          d.Keys = toLambdaImage(body.Keys);
        } catch {
          // keys of a type this build cannot model either: the letter keeps the sequence number alone
        }
      }
      if (body.SequenceNumber !== undefined) d.SequenceNumber = body.SequenceNumber;
      if (body.SizeBytes !== undefined) d.SizeBytes = body.SizeBytes;
      if (body.StreamViewType !== undefined) d.StreamViewType = body.StreamViewType;
    }
    const out = lambdaEnvelope(record, streamArn, d);
    const reason = isDynotallyError(e)
      ? e.message
      : `converting the record failed: ${(e as Error)?.message ?? String(e)}`;
    return markUnreadable(out, { code: isDynotallyError(e) ? e.code : 'RECORD_MALFORMED', reason });
  }
}

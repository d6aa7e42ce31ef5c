import type {
  _Record,
  AttributeValue as StreamAttributeValue,
  StreamRecord as StreamsStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue, StreamRecord } from 'aws-lambda';
import { DynotallyError } from '../errors/index.ts';

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
    { details: { value } },
  );
}

function toLambdaImage(image: Record<string, StreamAttributeValue>): Record<string, LambdaAttributeValue> {
  const out: Record<string, LambdaAttributeValue> = {};
  for (const [name, value] of Object.entries(image)) out[name] = toLambdaValue(value);
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
  const out: DynamoDBRecord = {};
  if (record.eventID !== undefined) out.eventID = record.eventID;
  if (record.eventName !== undefined) out.eventName = record.eventName;
  out.eventVersion = record.eventVersion ?? '1.1';
  out.eventSource = 'aws:dynamodb';
  if (record.awsRegion !== undefined) out.awsRegion = record.awsRegion;
  if (record.dynamodb) out.dynamodb = toLambdaStreamRecord(record.dynamodb);
  out.eventSourceARN = streamArn;
  if (record.userIdentity) {
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  }
  return out;
}

import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { workloadSteps } from './generate.ts';
import type { Operation, SourceItem, SourceKey, WorkloadOptions } from './types.ts';

/** Options for building Lambda-shaped stream records. */
export interface StreamRecordOptions {
  /** `eventSourceARN` of every record; default a fake stream of table `bench-source`. */
  streamArn?: string;
  /** `awsRegion`; default `us-east-1`. */
  region?: string;
  /** The first sequence number (a safe integer); default 1. Numbers increase by one per record. */
  sequenceStart?: number;
}

/** A batch as Lambda's event source mapping hands it over: one shard, records in sequence order. */
export interface StreamBatch {
  shardId: string;
  records: DynamoDBRecord[];
}

/** The fake stream ARN used unless one is given. */
export const FAKE_STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:000000000000:table/bench-source/stream/2026-10-24T22:00:00.000';

/** DynamoDB stream sequence numbers have 21 to 40 digits; DynamoDB Local zero-pads to 21. */
const SEQUENCE_DIGITS = 21;

/**
 * A source item in DynamoDB JSON (`amount` is a Number, `ts` a Number of epoch ms).
 *
 * @example
 * ```ts
 * toImage({ pk: 'evt#1', storeId: 'store-0001', type: 'order', ts: 1, amount: '9.99' });
 * // { pk: { S: 'evt#1' }, storeId: { S: 'store-0001' }, type: { S: 'order' }, ts: { N: '1' }, amount: { N: '9.99' } }
 * ```
 */
export function toImage(item: SourceItem): Record<string, AttributeValue> {
  const image: Record<string, AttributeValue> = {
    pk: { S: item.pk },
    storeId: { S: item.storeId },
    type: { S: item.type },
    ts: { N: String(item.ts) },
  };
  if (item.amount !== undefined) image.amount = { N: item.amount };
  return image;
}

/**
 * Turns operations into the stream records DynamoDB would emit for them (NEW_AND_OLD_IMAGES):
 * a put of a new key is an INSERT, a put over an existing item a MODIFY, a delete of an existing
 * item a REMOVE; a put that changes nothing and a delete of a missing key emit nothing, as in
 * DynamoDB. Keeps the current image of every live key in a `Map`; for a million-record workload
 * prefer {@link workloadStreamRecords}, which needs no such map.
 *
 * @example
 * ```ts
 * for (const record of streamRecords(generateWorkload({ events: 100 }))) console.log(record.eventName);
 * ```
 */
export function* streamRecords(
  ops: Iterable<Operation>,
  options: StreamRecordOptions = {},
): Generator<DynamoDBRecord> {
  const build = recordBuilder(options);
  const images = new Map<string, SourceItem>();
  let lastAt = 0;
  for (const op of ops) {
    const at = op.at ?? (op.op === 'put' ? op.item.ts : lastAt);
    lastAt = at;
    if (op.op === 'put') {
      const old = images.get(op.item.pk);
      if (old !== undefined && sameItem(old, op.item)) continue;
      images.set(op.item.pk, op.item);
      yield build(old === undefined ? 'INSERT' : 'MODIFY', { pk: op.item.pk }, old, op.item, at);
    } else {
      const old = images.get(op.key.pk);
      if (old === undefined) continue;
      images.delete(op.key.pk);
      yield build('REMOVE', op.key, old, undefined, at);
    }
  }
}

/**
 * {@link streamRecords} as an array.
 *
 * @example
 * ```ts
 * const records = toStreamRecords(generateWorkload({ seed: 1, events: 300 }));
 * ```
 */
export function toStreamRecords(
  ops: Iterable<Operation>,
  options: StreamRecordOptions = {},
): DynamoDBRecord[] {
  return Array.from(streamRecords(ops, options));
}

/**
 * The stream records of a generated workload, produced lazily straight from the generator's compact
 * state: memory stays flat however many records are drawn. Yields the same records as
 * `streamRecords(generateWorkload(workload), options)`.
 *
 * @example
 * ```ts
 * let n = 0;
 * for (const record of workloadStreamRecords({ seed: 20261025, events: 1_000_000 })) n += record.dynamodb!.SizeBytes!;
 * ```
 */
export function* workloadStreamRecords(
  workload: WorkloadOptions,
  options: StreamRecordOptions = {},
): Generator<DynamoDBRecord> {
  const build = recordBuilder(options);
  for (const step of workloadSteps(workload))
    yield build(step.kind, step.key, step.oldItem, step.newItem, step.at);
}

/**
 * Cuts records into Lambda-like batches of at most `size`, all from one shard.
 *
 * @example
 * ```ts
 * for (const batch of recordBatches(records, 100)) await contender.handle(batch);
 * ```
 */
export function* recordBatches(
  records: Iterable<DynamoDBRecord>,
  size: number,
  shardId = 'shardId-00000001761343200000-00000001',
): Generator<StreamBatch> {
  let batch: DynamoDBRecord[] = [];
  for (const record of records) {
    batch.push(record);
    if (batch.length >= size) {
      yield { shardId, records: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { shardId, records: batch };
}

type Build = (
  kind: 'INSERT' | 'MODIFY' | 'REMOVE',
  key: SourceKey,
  oldItem: SourceItem | undefined,
  newItem: SourceItem | undefined,
  at: number,
) => DynamoDBRecord;

function recordBuilder(options: StreamRecordOptions): Build {
  const arn = options.streamArn ?? FAKE_STREAM_ARN;
  const region = options.region ?? 'us-east-1';
  let sequence = options.sequenceStart ?? 1;
  return (kind, key, oldItem, newItem, at) => {
    const seq = sequence++;
    const Keys = { pk: { S: key.pk } };
    const NewImage = newItem === undefined ? undefined : toImage(newItem);
    const OldImage = oldItem === undefined ? undefined : toImage(oldItem);
    const SequenceNumber = flat(String(seq).padStart(SEQUENCE_DIGITS, '0'));
    const dynamodb: DynamoDBRecord['dynamodb'] = {
      ApproximateCreationDateTime: Math.floor(at / 1000),
      Keys,
      SequenceNumber,
      SizeBytes: 4 + key.pk.length + itemSize(newItem) + itemSize(oldItem),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    };
    if (NewImage !== undefined) dynamodb.NewImage = NewImage;
    if (OldImage !== undefined) dynamodb.OldImage = OldImage;
    return {
      eventID: eventId(seq, SequenceNumber),
      eventName: kind,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb,
      eventSourceARN: arn,
    };
  };
}

/**
 * The string as Lambda hands it over: the runtime parses the event from JSON, so every string is flat, while
 * `padStart` and concatenation make a rope whose every `charCodeAt` walks it (about 100 ns more per record
 * for the decoder's digit check on this 21-digit number).
 */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function sameItem(a: SourceItem, b: SourceItem): boolean {
  return a.storeId === b.storeId && a.type === b.type && a.ts === b.ts && a.amount === b.amount;
}

/** DynamoDB's item size: attribute names plus values (numbers roughly one byte per two digits). */
function itemSize(item: SourceItem | undefined): number {
  if (item === undefined) return 0;
  const amount = item.amount === undefined ? 0 : 6 + Math.ceil(item.amount.length / 2) + 1;
  return 2 + item.pk.length + 7 + item.storeId.length + 4 + item.type.length + 2 + 8 + amount;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 32-hex-digit event id shaped like DynamoDB's: 8 hex digits of a hash, then the zero-padded sequence number. */
function eventId(seq: number, sequenceNumber: string): string {
  let h = Math.imul(seq ^ (seq >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return `${HEX[(h >>> 24) & 255]}${HEX[(h >>> 16) & 255]}${HEX[(h >>> 8) & 255]}${HEX[h & 255]}000${sequenceNumber}`;
}

import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { SourceChange } from './types.ts';

/**
 * Options of {@link sampleRecords}.
 *
 * @example
 * ```ts
 * sampleRecords(changes, { firstSequence: 1000n, approximateTime: 1795356700 });
 * ```
 */
export interface SampleRecordsOptions {
  /** `eventSourceARN` of the records (default a made-up local stream). */
  streamArn?: string;
  /** Sequence number of the first record (default 100000000000000000001). */
  firstSequence?: bigint;
  /** `ApproximateCreationDateTime` (epoch s) of the records (default: now). */
  approximateTime?: number;
}

const SAMPLE_ARN = 'arn:aws:dynamodb:local:000000000000:table/dynotally-source/stream/sample';

/**
 * Turns generator changes into the stream records DynamoDB would emit for them (`NEW_AND_OLD_IMAGES`),
 * by replaying them on an in-memory table: a put of a new key is an INSERT, of an existing key a MODIFY
 * (none when the item is identical, as DynamoDB emits no record for a write that changes nothing), a
 * delete of an existing key a REMOVE. For `plan --dry-run`, docs and tests; no I/O.
 *
 * @example
 * ```ts
 * const gen = scenario('s2').create();
 * const records = sampleRecords(Array.from({ length: 20 }, () => gen.next(Date.now())));
 * applier.plan({ records, shardId: 'shardId-sample' });
 * ```
 */
export function sampleRecords(
  changes: readonly SourceChange[],
  options: SampleRecordsOptions = {},
): DynamoDBRecord[] {
  const table = new Map<string, Record<string, AttributeValue>>();
  const arn = options.streamArn ?? SAMPLE_ARN;
  const time = options.approximateTime ?? Math.floor(Date.now() / 1000);
  let seq = options.firstSequence ?? 100000000000000000001n;
  const records: DynamoDBRecord[] = [];
  for (const change of changes) {
    const keyValues = change.kind === 'delete' ? change.key : { pk: change.item.pk, sk: change.item.sk };
    const id = `${keyValues.pk}\u0000${keyValues.sk}`;
    const old = table.get(id);
    const keys = marshall({ pk: keyValues.pk, sk: keyValues.sk }) as Record<string, AttributeValue>;
    let eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
    let newImage: Record<string, AttributeValue> | undefined;
    if (change.kind === 'delete') {
      if (old === undefined) continue;
      table.delete(id);
      eventName = 'REMOVE';
    } else {
      newImage = marshall(change.item) as Record<string, AttributeValue>;
      if (old !== undefined && JSON.stringify(old) === JSON.stringify(newImage)) continue;
      table.set(id, newImage);
      eventName = old === undefined ? 'INSERT' : 'MODIFY';
    }
    records.push({
      eventID: `sample-${seq}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      eventSourceARN: arn,
      dynamodb: {
        ApproximateCreationDateTime: time,
        Keys: keys,
        ...(newImage === undefined ? {} : { NewImage: newImage }),
        ...(old === undefined ? {} : { OldImage: old }),
        SequenceNumber: seq.toString(),
        SizeBytes: 100,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    seq += 1n;
  }
  return records;
}

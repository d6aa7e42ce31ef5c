// Simulates a source table with a NEW_AND_OLD_IMAGES stream: operations in, Lambda-shaped records out,
// plus what the oracle needs (final items, TTL-removed images, every image ever written).
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

export type Img = Record<string, AttributeValue>;
export type Op = { kind: 'put'; key: string; item: Img } | { kind: 'delete'; key: string; ttl?: boolean };

export interface Simulation {
  records: DynamoDBRecord[];
  finals: Img[];
  /** Images removed by TTL (still counted by rollups with ttlDeletes: 'ignore'). */
  retained: Img[];
  /** Every new image, in order. */
  history: Img[];
}

export const STREAM_ARN =
  'arn:aws:dynamodb:eu-west-1:123456789012:table/source/stream/2026-11-22T00:00:00.000';

export function simulate(ops: readonly Op[], startSeq = 100000000000000000000n): Simulation {
  const table = new Map<string, Img>();
  const records: DynamoDBRecord[] = [];
  const retained: Img[] = [];
  const history: Img[] = [];
  let seq = startSeq;
  let clock = 1_763_800_000;
  for (const op of ops) {
    const old = table.get(op.key);
    seq += BigInt(1 + (records.length % 3));
    clock += 1;
    const base = {
      eventID: `e${records.length}`,
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM_ARN,
      awsRegion: 'eu-west-1',
      eventVersion: '1.1',
    };
    if (op.kind === 'put') {
      const item = { id: { S: op.key }, ...op.item };
      table.set(op.key, item);
      history.push(item);
      records.push({
        ...base,
        eventName: old ? 'MODIFY' : 'INSERT',
        dynamodb: {
          ApproximateCreationDateTime: clock,
          Keys: { id: { S: op.key } },
          NewImage: item,
          ...(old ? { OldImage: old } : {}),
          SequenceNumber: seq.toString(),
          SizeBytes: 100,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      } as DynamoDBRecord);
    } else if (old) {
      table.delete(op.key);
      if (op.ttl) retained.push(old);
      records.push({
        ...base,
        eventName: 'REMOVE',
        dynamodb: {
          ApproximateCreationDateTime: clock,
          Keys: { id: { S: op.key } },
          OldImage: old,
          SequenceNumber: seq.toString(),
          SizeBytes: 100,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        ...(op.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
      } as DynamoDBRecord);
    }
  }
  return { records, finals: [...table.values()], retained, history };
}

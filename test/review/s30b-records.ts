// Hand-made stream records of one made-up stream for the s30b review tests: INSERT, MODIFY and REMOVE of items
// keyed by `id`, sequence numbers counting up, each created `ageSeconds` before the given clock.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

export const S30B_STREAM =
  'arn:aws:dynamodb:local:000000000000:table/s30b-src/stream/2026-01-01T00:00:00.000';

type Img = Record<string, AttributeValue>;

/**
 * A source of stream records: `put(id, attrs)` an INSERT (or a MODIFY when the id was put before), `remove(id)` a
 * REMOVE of its last image; every record created `ageSeconds` before `now()` (default: now), its image carrying
 * the event time `t` (epoch ms) of that moment.
 *
 * @example
 * ```ts
 * const s = streamRecords(() => Date.now());
 * const r = s.put('a', { g: { S: 'x' } });
 * ```
 */
export function streamRecords(now: () => number): {
  put(id: string, attrs: Img, ageSeconds?: number): DynamoDBRecord;
  remove(id: string, ageSeconds?: number): DynamoDBRecord;
  images: Map<string, Img>;
} {
  let seq = 100_000;
  const images = new Map<string, Img>();
  const make = (
    id: string,
    eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
    oldImage: Img | undefined,
    newImage: Img | undefined,
    ageSeconds: number,
  ): DynamoDBRecord => {
    seq += 1;
    return {
      eventID: `s30b-${seq}`,
      eventName,
      eventSource: 'aws:dynamodb',
      eventSourceARN: S30B_STREAM,
      dynamodb: {
        Keys: { id: { S: id } },
        ...(oldImage === undefined ? {} : { OldImage: oldImage }),
        ...(newImage === undefined ? {} : { NewImage: newImage }),
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: Math.floor(now() / 1000) - ageSeconds,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  };
  return {
    images,
    put(id, attrs, ageSeconds = 0) {
      const old = images.get(id);
      const img: Img = { id: { S: id }, t: { N: String(now() - ageSeconds * 1000) }, ...attrs };
      images.set(id, img);
      return make(id, old === undefined ? 'INSERT' : 'MODIFY', old, img, ageSeconds);
    },
    remove(id, ageSeconds = 0) {
      const old = images.get(id);
      images.delete(id);
      return make(id, 'REMOVE', old, undefined, ageSeconds);
    },
  };
}

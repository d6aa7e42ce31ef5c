// What the fold tests of group values share: an INSERT record with a given image at one instant, and a batch's
// coalesced rows in a form `toEqual` compares (deltas as text).
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { foldBatch } from '../../packages/dynotally/src/fold/index.ts';

/** The instant every record of these tests is stamped with (2026-03-01 12:00 UTC). */
export const GROUP_FOLD_AT = Date.UTC(2026, 2, 1, 12);

/** An INSERT of item `i<seq>` with `image`'s attributes, at {@link GROUP_FOLD_AT}. */
export function insertOf(seq: number, image: Record<string, AttributeValue>): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
    dynamodb: {
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: GROUP_FOLD_AT / 1000,
      NewImage: { id: { S: `i${seq}` }, ...image },
    },
  };
}

/** A folded batch's rows: key, attributes and deltas as text. */
export function foldedRows(r: ReturnType<typeof foldBatch>) {
  return r.coalescer
    .rowList()
    .map((a) => ({ pk: a.pk, sk: a.sk, attrs: a.attrs, deltas: a.deltas.map(String) }));
}

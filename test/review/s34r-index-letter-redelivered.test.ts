// Review s34r: a dead letter of a record without a sequence number is keyed `index-<n>#<16 hex of the record's hash>`
// (letterKey). The hash is deterministic (sha256 of JSON.stringify([record, deltas])), but `<n>` is the record's place
// in the ordered batch, and orderBatch puts every record without a sequence number *after* all records with one.
// So the place of the same malformed record depends on how many valid records its delivery carries: a redelivery
// from the same checkpoint that carries one record more (a stream re-read after a failed batch, a larger
// BatchSize or batching window, or a worker re-reading after a crash) gives the same record another key, and the
// sink (written only if absent, by key) stores a second letter for it; a dropped letter's tombstone does not turn
// it away either (the tombstone is at the other key).
//
// Correct behaviour: one record, one letter: since the key now carries the record's own hash, the place adds nothing
// that identifies the record (two records that hash the same are the same record) and only makes redeliveries
// differ; key such a letter by the hash alone (as `~<hash>` already does for a letter with no sequence number at
// all), or by something of the record that does not depend on the batch.
//
// Severity: low. Only RECORD_MALFORMED records lack a sequence number (never from a real stream; a corrupted or
// hand-built event), and their letters are never replayed: the cost is a duplicate letter to list and drop, and a
// dropped one coming back. The docs (dead-letters.md) promise "the same record redelivered ... is stored once (and
// turned away by its tombstone)"; this is the same record redelivered.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toDeadLetter } from '../../packages/dynotally/src/apply/index.ts';
import { letterKey } from '../../packages/dynotally/src/dead-letter/index.ts';
import { orderBatch } from '../../packages/dynotally/src/decode/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/index.ts';

const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/src/stream/2026-11-22T12:00:00.000';
const AT = Date.UTC(2026, 10, 22, 12, 0, 0);
const rollup = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { n: count() },
});

const valid = (seq: string): DynamoDBRecord =>
  ({
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSourceARN: ARN,
    dynamodb: {
      SequenceNumber: seq,
      Keys: { pk: { S: seq } },
      NewImage: { pk: { S: seq }, storeId: { S: 's' }, t: { N: '1' } },
    },
  }) as never;

/** One malformed record (no sequence number): the same object content on every delivery. */
const malformed = (): DynamoDBRecord =>
  ({
    eventID: 'm',
    eventName: 'INSERT',
    eventSourceARN: ARN,
    dynamodb: { Keys: { pk: { S: 'm' } }, NewImage: { pk: { S: 'm' }, storeId: { S: 's' }, t: { N: '1' } } },
  }) as never;

/** The Applier's letters of a delivery: in sequence order (orderBatch, as Applier.apply does), poison as letters. */
function lettersOf(batch: DynamoDBRecord[]) {
  const ordered = orderBatch(batch);
  return foldBatch([rollup.compiled], ordered, { shardId: 'shardId-1' }).poison.map((p) =>
    toDeadLetter(p, ARN, 'shardId-1', AT),
  );
}

describe('review s34r: a letter of a record without a sequence number, redelivered', () => {
  it('keeps one key when the redelivery carries one valid record more', () => {
    // first delivery: [100, m]; redelivery from the same checkpoint: [100, 200, m]
    const [first] = lettersOf([valid('100'), malformed()]);
    const [again] = lettersOf([valid('100'), valid('200'), malformed()]);
    expect(first?.code).toBe('RECORD_MALFORMED');
    expect(again?.code).toBe('RECORD_MALFORMED');
    // same record, same content hash ...
    expect(again?.record).toEqual(first?.record);
    // ... but `index-1#h` then `index-2#h`: the sink stores two letters, a tombstone of the first does not stop the second
    expect(letterKey(again as never)).toEqual(letterKey(first as never));
  });
});

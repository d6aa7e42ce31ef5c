// Review s34w (stream consumption): the stream worker converts every record GetRecords returns to the Lambda shape
// (`streams/to-lambda-record.ts`) in its read loop, before any batch exists. An attribute value of a type the SDK
// does not know (the AWS SDK v3 deserializes an unknown union member as `{ $unknown: [name, value] }`, which is what a
// new DynamoDB attribute type, or a value the service sends in a form this SDK build does not model, becomes) makes
// `toLambdaValue` throw RECORD_MALFORMED there. Nothing catches it per record: the shard consumer ends 'failed',
// releases its lease, is taken again from the same checkpoint, reads the same page and fails again, for as long as
// the record is in the stream. The record is never dead-lettered and every record after it on the shard is never
// counted (24 h later the stream trims them all); no batch, retry, bisection or dead letter is reached, because the
// batch processor never sees the records. The Lambda handler does not have this failure mode (Lambda hands the JSON
// over, and decoding an unknown type is a per-record poison there).
// Expected (DESIGN.md, Dead letters: "a record that cannot be counted (malformed ...) goes to the dead-letter sink with
// a stable code ... the rest of its batch is applied"): the shard is read to its end, the good records reach the
// handler, the bad one reaches the handler as a record it dead-letters (RECORD_MALFORMED) or is dead-lettered by the
// worker, and the checkpoint moves past it.
// Observed: `run()` returns 'failed' with no batch handed over and no checkpoint; the next owner fails the same way.
// Severity: medium (a whole shard blocked for good, and its later records lost after 24 h, by one record; needs a
// value this SDK build cannot model, which is rare but outside the operator's control).
// Suggested fix: convert per record inside a try (or convert unknown members lazily): a record whose conversion throws
// goes into the batch as an envelope the decoder refuses (keep eventID, eventName, Keys, SequenceNumber,
// ApproximateCreationDateTime; mark the image unreadable), so the applier dead-letters it with RECORD_MALFORMED and
// its sequence number like any poison record; or pass `$unknown` members through as an opaque value that only fails a
// rollup that reads the attribute.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { ShardConsumer } from '../../packages/dynotally/src/worker/shard-consumer.ts';
import { consumerHarness, FAR } from '../worker/consumer-harness.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import type { Op } from '../worker/support.ts';

const put = (id: string, extra: Record<string, unknown> = {}): Op =>
  ({ kind: 'put', item: { id: { S: id }, n: { N: '1' }, ...extra } }) as unknown as Op;

describe('s34w: a stream record with an attribute type the SDK does not model', () => {
  it('is dead-lettered or handed over as poison; the shard is read to its end', async () => {
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    stream.addShard('s1');
    stream.append('s1', put('a'));
    // what the SDK makes of an attribute of a type it does not know (a union's unknown member)
    stream.append('s1', put('b', { v: { $unknown: ['VEC', [0.5, 0.25]] } as _Record }));
    stream.append('s1', put('c'));
    stream.close('s1');
    const lettered: string[] = [];
    const h = consumerHarness(stream, {
      deadLetter: async (_shard, records) => {
        for (const r of records) lettered.push(String(r.dynamodb?.Keys?.id?.S));
      },
    });
    const exit = await new ShardConsumer(h.context, h.lease('s1'), FAR).run();
    const handed = h.events.flatMap((e) => e.Records.map((r) => String(r.dynamodb?.Keys?.id?.S)));
    // 'b' reaches the handler (which dead-letters it as poison) or the worker's own dead letters
    expect({ exit, reached: [...new Set([...handed, ...lettered])].sort() }).toEqual({
      exit: 'ended',
      reached: ['a', 'b', 'c'],
    });
  });
});

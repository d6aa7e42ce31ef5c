import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { LateProbe } from '../apply/late-probe.ts';
import { count, defineRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { PoisonRecord } from '../fold/index.ts';
import { lateLettersFirst, letterKey } from './late-letters-first.ts';
import { asVersion } from './version-prefix.ts';

const serving = defineRollup({
  name: 'orders',
  groupBy: 'store',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
}).compiled;
const building = asVersion(serving, 2);

const record = (seq: string): DynamoDBRecord => ({
  eventID: seq,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:local:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: 1_763_800_000,
    NewImage: { id: { S: `o${seq}` }, store: { S: 's1' }, t: { N: '1763800000000' } },
  },
});
const tooOld = (r: DynamoDBRecord, pk: string): PoisonRecord => ({
  record: r,
  index: 0,
  sequenceNumber: r.dynamodb?.SequenceNumber,
  error: new DynotallyError('RECORD_TOO_OLD', 'late'),
  pendingRows: [{ pk, sk: 'ALL' }],
});
const probe = (poison: PoisonRecord[], settle: DynamoDBRecord[] = []): LateProbe => ({
  input: { records: [] },
  poison,
  ordered: [],
  rest: [],
  settle: new Set(settle),
  judged: undefined,
  read: undefined,
  retries: 0,
});
const rows = (p: PoisonRecord | undefined) => (p?.pendingRows ?? []).map((r) => `${r.pk} ${r.sk}`).sort();
const batch = [record('101'), record('102')];
const placed = (p: PoisonRecord): PoisonRecord => ({
  ...p,
  index: batch.findIndex((r) => r.dynamodb?.SequenceNumber === p.sequenceNumber),
});

describe('lateLettersFirst', () => {
  it('one letter a late record, with the pending rows of every version, placed in the batch', () => {
    const [a, b] = batch as [DynamoDBRecord, DynamoDBRecord];
    const first = lateLettersFirst(
      [
        { probe: probe([tooOld(b, 'orders#ss1')]), rollups: [serving] },
        { probe: probe([tooOld(b, 'orders.v2#ss1'), tooOld(a, 'orders.v2#ss1')]), rollups: [building] },
      ],
      placed,
    );
    expect(first.letters.map((p) => [p.sequenceNumber, p.index, rows(p)])).toEqual([
      ['102', 1, ['orders#ss1 ALL', 'orders.v2#ss1 ALL']],
      ['101', 0, ['orders.v2#ss1 ALL']],
    ]);
    expect([...first.keys].sort()).toEqual(['101', '102']);
  });

  it('leaves out a record another version settles (its letter is merged after that version is written)', () => {
    const [a, b] = batch as [DynamoDBRecord, DynamoDBRecord];
    const first = lateLettersFirst(
      [
        { probe: probe([tooOld(a, 'orders#ss1')], []), rollups: [serving] },
        { probe: probe([tooOld(b, 'orders.v2#ss1')], [a]), rollups: [building] },
      ],
      placed,
    );
    expect(first.letters.map(letterKey)).toEqual(['102']);
    expect([...first.keys]).toEqual(['102']);
  });

  it('no late record: nothing to send first', () => {
    expect(lateLettersFirst([{ probe: probe([]), rollups: [serving] }], placed)).toEqual({
      letters: [],
      keys: new Set(),
    });
  });
});

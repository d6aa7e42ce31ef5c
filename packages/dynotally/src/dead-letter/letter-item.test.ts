import { randomBytes } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from './dead-letter.ts';
import { decodeLetter, dedupeLetters, letterItems, letterKey, PART_BYTES } from './letter-item.ts';

const record = (seq: string | undefined, extra: Record<string, unknown> = {}): DynamoDBRecord =>
  ({
    eventID: 'e1',
    eventName: 'INSERT',
    dynamodb: {
      Keys: { id: { S: 'x' } },
      ...(seq === undefined ? {} : { SequenceNumber: seq }),
      NewImage: { id: { S: 'x' }, ...extra },
    },
  }) as DynamoDBRecord;

const letter = (over: Partial<DeadLetter> = {}): DeadLetter => ({
  source: 'arn:stream',
  shardId: 'shard-1',
  sequenceNumber: '100',
  eventId: 'e1',
  code: 'VALUE_INVALID',
  reason: 'bad',
  record: record('100'),
  at: 1_800_000_000_000,
  ...over,
});

const itemBytes = (item: Record<string, { S?: string; B?: Uint8Array; N?: string }>) =>
  Object.entries(item).reduce(
    (n, [k, v]) => n + k.length + (v.S?.length ?? 0) + (v.B?.length ?? 0) + (v.N?.length ?? 0),
    0,
  );

describe('dead-letter items', () => {
  it('round-trip a letter with pending rows', () => {
    const l = letter({ pendingRows: [{ pk: 'a#sx', sk: 'D2026-01-01' }] });
    const { main, parts } = letterItems(l, letterKey(l), 14);
    expect(parts).toEqual([]);
    const back = decodeLetter(main, parts);
    expect(back).toMatchObject({
      source: 'arn:stream',
      shardId: 'shard-1',
      sequenceNumber: '100',
      code: 'VALUE_INVALID',
      record: l.record,
      pendingRows: l.pendingRows,
      replayedAt: undefined,
      truncated: false,
    });
  });

  it('split two incompressible 210 KB images into parts under the item limit, and join them back', () => {
    const big = (n: number) => ({ S: randomBytes(n).toString('base64') });
    const r = record('200', { a: big(157_000) });
    (r.dynamodb as { OldImage?: unknown }).OldImage = { id: { S: 'x' }, b: big(157_000) };
    const l = letter({ sequenceNumber: '200', record: r });
    const { main, parts } = letterItems(l, letterKey(l), 14);
    expect(parts.length).toBeGreaterThan(1);
    for (const item of [main, ...parts]) expect(itemBytes(item as never)).toBeLessThan(PART_BYTES + 10_000);
    expect(decodeLetter(main, parts).record).toEqual(r);
  });

  it('truncate past the part limit, keeping the keys and the sequence number', () => {
    const r = record('300', { a: { S: randomBytes(300_000).toString('base64') } });
    const l = letter({ sequenceNumber: '300', record: r });
    const { main, parts } = letterItems(l, letterKey(l), 14, { partBytes: 100_000, maxParts: 2 });
    const back = decodeLetter(main, parts);
    expect(back.truncated).toBe(true);
    expect(back.record?.dynamodb?.Keys).toEqual({ id: { S: 'x' } });
    expect(back.record?.dynamodb?.SequenceNumber).toBe('300');
  });

  it('never make an empty or oversize key, and tolerate missing fields', () => {
    const none = {
      source: undefined,
      shardId: undefined,
      sequenceNumber: undefined,
      code: undefined,
      record: { eventName: 'INSERT' },
    } as unknown as DeadLetter;
    const k = letterKey(none);
    expect(k.pk).toBe('|');
    expect(k.sk).toMatch(/^~[0-9a-f]{32}$/);
    const { main } = letterItems(none, k, 14);
    expect(main.code?.S).toBe('UNKNOWN');
    expect(decodeLetter(main, []).record).toEqual({ eventName: 'INSERT' });
    const long = letterKey(letter({ source: 'x'.repeat(5_000), sequenceNumber: 'y'.repeat(3_000) }));
    expect(Buffer.byteLength(long.pk)).toBeLessThanOrEqual(1_024);
    expect(Buffer.byteLength(long.sk)).toBeLessThanOrEqual(512);
    // the same record without a sequence number always gets the same key
    expect(letterKey(letter({ sequenceNumber: '' }))).toEqual(letterKey(letter({ sequenceNumber: '' })));
  });

  it('key a record without a sequence number by its content alone, whatever its place in the batch', () => {
    // the Applier's letter of such a record says `index-<n>` (toDeadLetter): a place, which another batch of the
    // shard can fill with another record, and which the same record takes one later when its redelivery carries
    // one valid record more (review s34r): the key is the record's hash, the letter keeps saying its place
    const at = (n: number, id: string) =>
      letter({
        sequenceNumber: `index-${n}`,
        code: 'RECORD_MALFORMED',
        record: record(undefined, { v: { S: id } }),
      });
    expect(letterKey(at(0, 'x'))).toEqual(letterKey(at(0, 'x')));
    expect(letterKey(at(0, 'x')).sk).toMatch(/^~[0-9a-f]{32}$/);
    expect(letterKey(at(0, 'y')).sk).not.toBe(letterKey(at(0, 'x')).sk);
    expect(letterKey(at(1, 'x'))).toEqual(letterKey(at(0, 'x')));
    expect(letterItems(at(0, 'x'), letterKey(at(0, 'x')), 14).main.seq?.S).toBe('index-0');
    // a sequence number is an identity: kept as the key
    expect(letterKey(letter()).sk).toBe('100');
    expect(letterKey(letter({ sequenceNumber: 'index-2x' })).sk).toBe('index-2x');
  });

  it('de-duplicate: the same record once, two records under one sequence number both', () => {
    const a = letter();
    const b = letter({ record: record('100', { other: { S: 'y' } }) });
    const out = dedupeLetters([a, a, b, b]);
    expect(out).toHaveLength(2);
    expect(new Set(out.map((o) => o.key.sk)).size).toBe(2);
    expect(out[0]?.key.sk).toBe('100');
  });
});

describe('decodeLetter of a body that cannot be read (review s41e)', () => {
  it('reads a letter with a part gone, or a body that does not decompress, as unreadable, with no record', () => {
    const big = letter({ record: record('100', { blob: { S: randomBytes(30_000).toString('base64') } }) });
    const { main, parts } = letterItems(big, letterKey(big), 14, { partBytes: 10_000 });
    expect(parts.length).toBeGreaterThan(2);
    expect(decodeLetter(main, parts).unreadable).toBeUndefined();
    const gone = decodeLetter(main, [parts[0], parts[2]] as typeof parts);
    expect(gone.unreadable).toMatch(/part items are gone/);
    expect([gone.record, gone.pendingRows, gone.deltas]).toEqual([undefined, undefined, undefined]);
    const swapped = decodeLetter(main, [parts[1], parts[0], ...parts.slice(2)] as typeof parts);
    expect(swapped.unreadable).toMatch(/cannot be read/);
    const own = letterItems(letter(), letterKey(letter()), 14);
    const garbage = decodeLetter({ ...own.main, body: { B: new Uint8Array([1, 2, 3]) } }, []);
    expect(garbage.unreadable).toMatch(/cannot be read/);
    expect(garbage.record).toBeUndefined();
    expect(garbage.id).toBe(decodeLetter(own.main, []).id);
  });
});

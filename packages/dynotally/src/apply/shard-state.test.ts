import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemSizeBytes } from '../cost/item-size.ts';
import { pruneAfterSeconds } from './redelivery-horizon.ts';
import {
  appliedSeq,
  decodeShardState,
  encodeShardState,
  rowStateFor,
  rowWatermarkFor,
  shardStateAttrs,
  shardStateOf,
  stateBound,
} from './shard-state.ts';
import { watermarkAttr, watermarkValue } from './watermark-attr.ts';

const pad = (n: bigint) => n.toString().padStart(40, '0');
const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/source/stream/2026-11-22T00:00:00.000';
const T = Date.UTC(2026, 11, 2, 2, 30);

/** DynamoDB's number order, on the digit strings it stores (integers only here). */
const numLess = (a: string, b: string) => BigInt(a) < BigInt(b);

describe('compact shard state', () => {
  it('orders exactly like the sequence numbers: encode(a) < bound(b) ⇔ a < b, for 1–32 digit sequences', () => {
    const seq = fc.bigInt({ min: 1n, max: 10n ** 32n - 1n });
    fc.assert(
      fc.property(seq, seq, fc.integer({ min: 0, max: 2 ** 41 }), (a, b, ms) => {
        const stored = encodeShardState(pad(a), ms);
        expect(stored?.N).toBeDefined();
        expect(numLess(stored?.N as string, stateBound(pad(b)).N as string)).toBe(a < b);
        // and the record itself is held: stored ≥ bound(a)
        expect(numLess(stored?.N as string, stateBound(pad(a)).N as string)).toBe(false);
        expect(decodeShardState(stored)?.seq).toBe(pad(a));
      }),
      { numRuns: 500 },
    );
  });

  it('fits DynamoDB numbers (38 significant digits) and falls back to the legacy string beyond 32 digits', () => {
    const long = pad(10n ** 33n + 7n);
    expect(encodeShardState(long, T)).toBeUndefined();
    const attrs = shardStateAttrs(ARN, 'shardId-1');
    const wm = rowWatermarkFor(attrs, long, long, T);
    expect(wm.attr).toBe(attrs.legacy);
    expect(wm.value).toEqual({ S: watermarkValue(long, T) });
    // every compact value (≤ 32-digit sequences) is below the bound used for a longer first
    expect(
      numLess(encodeShardState(pad(10n ** 32n - 1n), T)?.N as string, stateBound(long).N as string),
    ).toBe(true);
    const significant = (n: string) => n.replace(/^0+/, '').replace(/0+$/, '').length;
    for (const n of [
      stateBound(long).N,
      stateBound(pad(10n ** 32n - 1n)).N,
      encodeShardState(pad(10n ** 32n - 1n), T)?.N,
    ])
      expect(significant(n as string)).toBeLessThanOrEqual(38);
  });

  it('sets, for an INSERT, exactly the state the row watermark sets (compact or legacy), at any hour', () => {
    const attrs = shardStateAttrs(ARN, 'shardId-1');
    const seq = fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }).map(pad);
    const ms = fc.oneof(
      fc.integer({ min: -1, max: 2 ** 42 }),
      fc.constantFrom(T, T + 1, T + 3_600_000, Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(seq, seq, ms, (first, last, at) => {
        const wm = rowWatermarkFor(attrs, first, last, at);
        const state = rowStateFor(attrs, last, at);
        if (Number.isFinite(at)) expect(state).toStrictEqual({ attr: wm.attr, value: wm.value });
        else expect(state.attr).toBe(wm.attr); // a non-finite time stamps the state with the clock's hour
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the hour back as the end of the hour it was written in (never thought older than it is)', () => {
    const state = decodeShardState(encodeShardState(pad(123n), T));
    expect(state?.epochSeconds).toBeGreaterThanOrEqual(T / 1000);
    expect(state?.epochSeconds).toBeLessThanOrEqual(T / 1000 + 3600);
  });

  it('honours the legacy form: the applied sequence is the larger of both encodings', () => {
    const attrs = shardStateAttrs(ARN, 'shardId-1');
    expect(attrs.legacy).toBe(watermarkAttr(ARN, 'shardId-1'));
    const item = {
      [attrs.legacy]: { S: watermarkValue(pad(500n), T) },
      [attrs.attr]: encodeShardState(pad(300n), T) as { N: string },
    };
    expect(appliedSeq(item, attrs)).toBe(pad(500n));
    expect(appliedSeq({ [attrs.attr]: encodeShardState(pad(900n), T) as { N: string } }, attrs)).toBe(
      pad(900n),
    );
    expect(appliedSeq({}, attrs)).toBeUndefined();
    // a packed counter of a measure named `w` is no shard state
    expect(shardStateOf('w_22', { N: '5' })).toBeUndefined();
    expect(shardStateOf('~abcdefgh', { S: 'x' })).toBeUndefined();
  });

  it('names differ per shard and are 9 bytes', () => {
    const names = new Set<string>();
    for (let i = 0; i < 5000; i++) names.add(shardStateAttrs(ARN, `shardId-${i}`).attr);
    expect(names.size).toBe(5000);
    for (const n of names) expect(n).toMatch(/^~[A-Za-z0-9_-]{8}$/);
  });

  it('costs 24–27 bytes a shard on a row with real-length sequence numbers, against 65 before', () => {
    // DynamoDB Streams sequence numbers seen in the wild have 21–28 digits
    const attrs = shardStateAttrs(ARN, 'shardId-00000001764641234567-8a9b0c1d');
    const size = (seq: string) => itemSizeBytes({ [attrs.attr]: encodeShardState(seq, T) as { N: string } });
    const seq = pad(4421584500000000017450439091n);
    const before = itemSizeBytes({ [attrs.legacy]: { S: watermarkValue(seq, T) } });
    expect(before).toBe(65);
    expect(size(seq)).toBe(27);
    expect(size(pad(442158450000000001745n))).toBe(24);
  });
});

describe('the last encoding kept', () => {
  /** The encodings computed afresh, without the kept last value (what the functions must equal). */
  const digitsOf = (seq: string) => seq.replace(/^0+(?=\d)/, '');
  const fresh = (seq: string, ms: number) => {
    const d = digitsOf(seq);
    const hour = Math.floor(ms / 3_600_000);
    if (d.length > 32) return undefined;
    return d === '0' ? String(hour) : d + String(hour).padStart(6, '0');
  };
  const freshBound = (seq: string) => {
    const d = digitsOf(seq);
    if (d.length > 32) return `1${'0'.repeat(38)}`;
    return d === '0' ? '0' : `${d}000000`;
  };

  it('equals a fresh encoding for any sequence of calls (repeats, equal strings, other hours, long numbers)', () => {
    const seq = fc.oneof(
      fc.constantFrom('0', '', pad(0n), pad(7n), `${'0'.repeat(19)}100000000000000000123`),
      fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }).map(pad),
    );
    const call = fc.record({
      seq,
      // a copy is an equal string that is another object: compared by content, not only identity
      copy: fc.boolean(),
      ms: fc.constantFrom(T, T + 3_600_000, T + 60_000, 0),
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        for (const c of calls) {
          const s = c.copy ? c.seq.split('').join('') : c.seq;
          if (s === '') {
            // a row rebuilt from Redis cells has no sequence numbers: its bound must not be a kept value's
            expect(stateBound(s).N).toBe(`${''}000000`);
            continue;
          }
          expect(encodeShardState(s, c.ms)?.N).toBe(fresh(s, c.ms));
          expect(stateBound(s).N).toBe(freshBound(s));
        }
      }),
    );
  });
});

describe('redelivery horizon', () => {
  it('is the stream retention, or the mapping maximum record age when shorter, plus an hour', () => {
    expect(pruneAfterSeconds(undefined)).toBe(25 * 3600);
    expect(pruneAfterSeconds({ maxRecordAgeSeconds: -1 })).toBe(25 * 3600);
    expect(pruneAfterSeconds({ maxRecordAgeSeconds: 600 })).toBe(600 + 3600);
    expect(pruneAfterSeconds({ maxRecordAgeSeconds: 604_800 })).toBe(25 * 3600);
    expect(() => pruneAfterSeconds({ maxRecordAgeSeconds: 0 })).toThrow(/MaximumRecordAgeInSeconds/);
  });
});

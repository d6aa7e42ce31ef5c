import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { markerValue } from '../plan/compensation-params.ts';
import { staleStatesOf } from './prune-hints.ts';
import { encodeShardState, shardStateAttrs } from './shard-state.ts';

const HORIZON = 25 * 3600;
const NOW = Date.UTC(2026, 11, 6, 12);
const own = shardStateAttrs('arn:stream', 'shard-own');
const other = shardStateAttrs('arn:stream', 'shard-other');
const seq = '1'.padStart(40, '0');
const n = (v: string): AttributeValue => ({ N: v });
const ago = (hours: number) => String(Math.floor((NOW - hours * 3_600_000) / 1000));

describe('staleStatesOf', () => {
  it('takes shard states older than the horizon and take-back markers older than it plus its margin', () => {
    const item: Record<string, AttributeValue> = {
      [other.attr]: encodeShardState(seq, NOW - 28 * 3_600_000) as AttributeValue,
      [own.attr]: encodeShardState(seq, NOW - 48 * 3_600_000) as AttributeValue, // the writer's own: kept
      x_0123456789ab: n(ago(26.5)),
      x_abcdef012345: n(ago(24)),
      // past the horizon, within its margin: a late delivery may still finish the record's take-backs
      x_fedcba987654: n(ago(25.5)),
    };
    expect(staleStatesOf(item, own, NOW, HORIZON).map((p) => p.attr)).toEqual([other.attr, 'x_0123456789ab']);
  });

  it('keeps a state up to the horizon itself: a record 24 h old may still be delivered again', () => {
    // a state carries the hour of its last record and counts from that hour's end; the horizon (25 h) is the
    // stream's 24 h retention plus a margin
    const at = (i: number) => shardStateAttrs('arn:stream', `shard-${i}`).attr;
    const item: Record<string, AttributeValue> = {
      [at(1)]: encodeShardState(seq, NOW - 23 * 3_600_000) as AttributeValue,
      [at(2)]: encodeShardState(seq, NOW - 24 * 3_600_000) as AttributeValue,
      [at(3)]: encodeShardState(seq, NOW - 25 * 3_600_000) as AttributeValue,
      [at(4)]: encodeShardState(seq, NOW - 26 * 3_600_000) as AttributeValue, // its hour ended 25 h ago: kept
      [at(5)]: encodeShardState(seq, NOW - 27 * 3_600_000) as AttributeValue,
    };
    expect(staleStatesOf(item, own, NOW, HORIZON).map((p) => p.attr)).toEqual([at(5)]);
  });

  it('never takes a cell for a marker: a packed measure `x` (x_22, x_1440, x_5m10) holding a large sum', () => {
    const big = ago(48); // a sum that reads as an old time
    const item = { x_22: n(big), x_1440: n(big), x_5m10: n(big), x_2026: n(big), x: n(big) };
    expect(staleStatesOf(item, own, NOW, HORIZON)).toEqual([]);
  });

  it('keeps markers without a time (written as 1 by releases before 0.3, or for a record without one)', () => {
    expect(staleStatesOf({ x_0123456789ab: n('1') }, own, NOW, HORIZON)).toEqual([]);
    expect(markerValue(undefined)).toBe('1');
    expect(markerValue(Number.NaN)).toBe('1');
    expect(markerValue(1_763_812_345.6)).toBe('1763812345');
  });
});

import { describe, expect, it } from 'vitest';
import { compareStreamArns, nextStreamAfter, streamLabel } from './list-table-streams.ts';

const arn = (label: string, table = 'orders') =>
  `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/${label}`;
const a = arn('2026-12-05T11:41:12.255');
const b = arn('2026-12-05T11:41:13.636');
const c = arn('2026-12-05T11:41:14.794');

describe('nextStreamAfter', () => {
  it('goes on to the oldest stream created after the current one, not the newest', () => {
    expect(nextStreamAfter([c, a, b], a)).toBe(b);
    expect(nextStreamAfter([c, b, a], b)).toBe(c);
  });

  it('has nothing after the newest stream, or when the listing holds only older ones', () => {
    expect(nextStreamAfter([a, b, c], c)).toBeUndefined();
    expect(nextStreamAfter([a], b)).toBeUndefined();
    expect(nextStreamAfter([], a)).toBeUndefined();
  });

  it('ignores the current stream and repeats in the listing', () => {
    expect(nextStreamAfter([a, a, c, c], a)).toBe(c);
  });
});

describe('stream labels', () => {
  it('orders the ARNs of one table by creation time', () => {
    expect([c, a, b].sort(compareStreamArns)).toEqual([a, b, c]);
    expect(streamLabel(b)).toBe('2026-12-05T11:41:13.636');
    expect(streamLabel('not-an-arn')).toBe('not-an-arn');
  });
});

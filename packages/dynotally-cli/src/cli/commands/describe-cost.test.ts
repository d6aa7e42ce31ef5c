import { describe, expect, it } from 'vitest';
import { describeCost } from './query-kit.ts';

describe('describeCost', () => {
  it('says unit and item in the singular for one, units and items otherwise', () => {
    expect(describeCost({ requests: 1, itemsRead: 1, readUnits: 1 })).toBe(
      'read 1 item in 1 request, 1 read unit',
    );
    expect(describeCost({ requests: 2, itemsRead: 25, readUnits: 3.5 })).toBe(
      'read 25 items in 2 requests, 3.5 read units',
    );
    expect(describeCost({ requests: 0, itemsRead: 0, readUnits: 0 })).toBe(
      'read 0 items in 0 requests, 0 read units',
    );
  });
});

import { DynotallyError } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { repeatedLines } from './repeated-lines.ts';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

describe('repeatedLines (review s41s)', () => {
  const setup = () => {
    const out: string[] = [];
    let t = Date.UTC(2026, 11, 7, 16, 0, 0);
    const lines = repeatedLines((l) => out.push(l), { everyMs: 60_000, now: () => t });
    return { out, lines, advance: (ms: number) => (t += ms) };
  };

  it("says a source's first failure, then at most one line a minute with the count, then its recovery once", () => {
    const { out, lines, advance } = setup();
    for (let i = 0; i < 100; i++) {
      lines.failed('s0 generator', refused, 's0 generator: write failed: connect ECONNREFUSED');
      advance(200);
    }
    expect(out).toEqual([
      's0 generator: write failed: connect ECONNREFUSED (repeats: once a minute, with a count)',
    ]);
    advance(60_000);
    lines.failed('s0 generator', refused, 's0 generator: write failed: connect ECONNREFUSED');
    expect(out[1]).toBe(
      's0 generator: write failed: connect ECONNREFUSED (100 more failures like it since the last line, 101 since 16:00:00 UTC; said at most once a minute)',
    );
    lines.succeeded('s0 generator', 'writes go through');
    lines.succeeded('s0 generator', 'writes go through');
    expect(out.slice(2)).toEqual([
      's0 generator: writes go through again after 101 failed attempts since 16:00:00 UTC',
    ]);
    // a new outage is said at once again
    lines.failed('s0 generator', refused, 's0 generator: write failed: connect ECONNREFUSED');
    expect(out).toHaveLength(4);
  });

  it('says a different error at once, and keeps sources apart', () => {
    const { out, lines } = setup();
    lines.failed('s0 generator', refused, 'a');
    lines.failed('s0 generator', refused, 'a');
    lines.failed('s0 generator', new DynotallyError('VALUE_INVALID', 'bad'), 'b');
    lines.failed('s0 generator', refused, 'a');
    lines.failed('s2 generator', refused, 'c');
    lines.failed('s0 generator', new Error('first message'), 'd');
    lines.failed('s0 generator', new Error('another message'), 'e');
    expect(out.map((l) => l[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('says nothing on a success without failures', () => {
    const { out, lines } = setup();
    lines.succeeded('freshness probe', 'reads answer');
    expect(out).toEqual([]);
  });
});

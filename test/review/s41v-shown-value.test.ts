// Review s41v (adversarial review of s41q's `shownValue` and client options): three holes the fix left.
// - `shownValue` threw after all: a revoked Proxy, or a Proxy whose traps throw, fails JSON.stringify, String and
//   then Object.prototype.toString too (its @@toStringTag read goes through the trap; a revoked one's IsArray
//   throws), so `{ last: <such a proxy> }` was a raw TypeError / the trap's error instead of DURATION_INVALID.
// - `shownValue` printed everything: a 1 MB duration string made a 1 MB error message (and log line); an instant's
//   messages (`from`, `at`) printed the string with JSON.stringify, whole.
// - The serving query client's unknown-rollup message still called JSON.stringify on the caller's value, so a bigint
//   rollup was "Do not know how to serialize a BigInt"; createQueryClient's `concurrency` message called String, so
//   a prototype-less object there was "Cannot convert object to primitive value" instead of CONFIG_INVALID.
// Fixed: shownValue (src/strings/shown-value.ts) guards the function name and the tag too, ending in
// `[unprintable object]`, and cuts text over 200 characters saying how long it was; serving-query-client.ts and
// query-client.ts and query/instant.ts show those values with it. Break-check: every case failed on main (a18e4b8c) before the fix.
// Pure: nothing is sent (the clients point at a closed port; explain() plans without I/O).
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { shownValue } from '../../packages/dynotally/src/strings/shown-value.ts';
import { createServingQueryClient } from '../../packages/dynotally/src/versions/serving-query-client.ts';
import { planningClient } from '../support/planning-client.ts';

const board = defineRollup({
  name: 'board',
  groupBy: 'g',
  granularities: ['minute', 'hour', 'day'],
  measures: { n: count() },
});
const clientConfig = {
  region: 'local',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};
const query = planningClient([board], Date.UTC(2026, 10, 22, 13, 5));
const g = { g: 'x' };

function revoked(): object {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
}
const trapping = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isDynotallyError(e) ? e.code : `raw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('shownValue never throws and never prints a huge value', () => {
  it('a revoked Proxy or one whose traps throw is shown, and is its coded error as an argument', () => {
    expect(() => shownValue(revoked())).not.toThrow();
    expect(() => shownValue(trapping())).not.toThrow();
    expect(() =>
      shownValue(
        new Proxy(() => {}, {
          get: () => {
            throw new Error('trap');
          },
        }),
      ),
    ).not.toThrow();
    expect({
      revoked: outcome(() => query.explain.total(board, g, { last: revoked() as never })),
      trapping: outcome(() => query.explain.total(board, g, { last: trapping() as never })),
    }).toEqual({ revoked: 'DURATION_INVALID', trapping: 'DURATION_INVALID' });
  });

  it('a megabyte value is cut to a few hundred characters, saying how long it was', () => {
    const big = 'x'.repeat(1_000_000);
    expect(shownValue(big).length).toBeLessThan(400);
    expect(shownValue(big)).toContain('1000002 characters');
    expect(shownValue(Array.from({ length: 100_000 }, (_, i) => i)).length).toBeLessThan(400);
    let message = '';
    try {
      query.explain.total(board, g, { last: big as never });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^duration /);
    expect(message.length).toBeLessThan(1_000);
    // an instant's messages (query/instant.ts) called JSON.stringify on the string itself
    for (const window of [
      { from: big, to: '2026-11-22T00:00:00Z' },
      { from: `2026-11-22T00:00:00Z${big}`, to: '2026-11-22T00:00:00Z' },
      { last: '1h', at: big },
    ]) {
      try {
        query.explain.total(board, g, window as never);
        message = '';
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^(from|at) "/);
      expect(message.length).toBeLessThan(1_000);
    }
  });

  it('short values are shown whole, as before', () => {
    expect([
      shownValue('24h'),
      shownValue(10n),
      shownValue({ last: 10n }),
      shownValue(Object.create(null)),
    ]).toEqual(['"24h"', '10n', '{"last":"10n"}', '{}']);
  });
});

describe('the messages s41q left on JSON.stringify / String', () => {
  it('the serving query client: a bigint rollup is UNKNOWN_ROLLUP', () => {
    const serving = createServingQueryClient({ clientConfig, table: 'aggregates', rollups: [board] });
    try {
      expect(outcome(() => serving.explain.total(10n as never, g as never, { last: '1h' }))).toBe(
        'UNKNOWN_ROLLUP',
      );
    } finally {
      serving.close();
    }
  });

  it('createQueryClient: a prototype-less concurrency is CONFIG_INVALID', () => {
    expect(
      outcome(() =>
        createQueryClient({
          clientConfig,
          table: 'aggregates',
          rollups: [board],
          concurrency: Object.create(null),
        }),
      ),
    ).toBe('CONFIG_INVALID');
  });
});

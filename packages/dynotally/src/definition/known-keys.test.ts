import { describe, expect, it } from 'vitest';
import { defineRollup } from './define-rollup.ts';
import { nearestKey } from './known-keys.ts';
import { count } from './measures.ts';

const base = {
  name: 'orders',
  groupBy: 'storeId',
  granularities: ['day', 'month'],
  measures: { n: count() },
};

/** The code and message of defining `config`, or undefined when it is accepted. */
function refusal(config: Record<string, unknown>): [string | undefined, string] | undefined {
  try {
    defineRollup(config as never);
    return undefined;
  } catch (e) {
    return [(e as { code?: string }).code, (e as Error).message];
  }
}

describe('keys a definition does not take', () => {
  it.each([
    [{ ...base, timezone: 'Europe/London' }, /'timezone' is not an option here \(did you mean timeZone\?\)/],
    [{ ...base, tz: 'Europe/London' }, /'tz' .*did you mean timeZone\?/],
    [{ ...base, TimeZone: 'Europe/London' }, /did you mean timeZone\?/],
    [{ ...base, granularity: ['day'] }, /did you mean granularities\?/],
    [{ ...base, weekStart: 'sunday' }, /'weekStart' is not an option here; it takes name, match, groupBy/],
    [
      { ...base, time: { attribute: 'ts', zone: 'Europe/London' } },
      /time: 'zone' .*did you mean the rollup's timeZone\?/,
    ],
    [{ ...base, time: { attribute: 'ts', fromat: 'iso8601' } }, /did you mean format\?/],
    [
      { ...base, measures: { n: count({ storeas: 'x' } as never) } },
      /measure 'n' options: 'storeas' .*storeAs\?/,
    ],
    [
      { ...base, leaderboard: { measure: 'n', granularities: ['day'], shard: 4 } },
      /leaderboard: 'shard' .*did you mean shards\?/,
    ],
  ])('%o is refused with DEFINITION_INVALID naming the key', (config, message) => {
    const r = refusal(config);
    expect(r?.[0]).toBe('DEFINITION_INVALID');
    expect(r?.[1]).toMatch(message);
  });

  it('every key a definition takes is still accepted', () => {
    expect(
      refusal({
        ...base,
        match: { type: 'order' },
        time: { attribute: 'ts', format: 'epoch-millis' },
        timeZone: 'Europe/London',
        measures: { n: count({ where: { type: 'order' }, storeAs: 'o', granularities: ['day'] }) },
        ttlDeletes: 'ignore',
        retention: { day: '30d' },
        leaderboard: { measure: 'n', granularities: ['day'], shards: 2 },
      }),
    ).toBeUndefined();
  });
});

describe('nearestKey skips keys whose length alone puts them out of reach', () => {
  const known = ['timeZone', 'groupBy', 'where', 'granularities'];
  it('still suggests a key one or two characters longer or shorter', () => {
    expect(nearestKey('timeZon', known)).toBe('timeZone');
    expect(nearestKey('groupByy', known)).toBe('groupBy');
    expect(nearestKey('granularites', known)).toBe('granularities');
    expect(nearestKey('whre', known)).toBe('where');
  });
  it('suggests nothing for a pasted megabyte (compared by length, never character by character)', () => {
    expect(nearestKey('x'.repeat(1_000_000), known)).toBeUndefined();
  });
});

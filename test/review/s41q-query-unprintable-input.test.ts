// Review s41q (query client): a bad argument that its error message could not print was a raw TypeError instead of
// the coded error. Pure: nothing is sent (the client points nowhere; explain() plans without I/O).
// - A bigint where a string or number belongs (`{ last: 10n }`, `{ limit: 10n }`, `{ measure: 10n }`, a bigint
//   bucket, granularity or rollup, or a bigint as the whole group): the message's JSON.stringify threw "Do not know
//   how to serialize a BigInt".
// - An object without a prototype (`Object.create(null)`, what a parsed query string or a `null`-prototype map of
//   options gives) as an instant (`from`, `at`) or as the rollup: `String(value)` threw "Cannot convert object to
//   primitive value".
// Fixed: every message and detail that shows a caller's value goes through `shownValue` (src/strings/shown-value.ts),
// which never throws (a bigint shows as `10n`), so each of these is the coded error the same mistake with a string
// gets. Break-check: making shownValue return JSON.stringify(v) again fails every bigint case; String(v), every
// null-prototype case.
import { describe, expect, it } from 'vitest';
import { count, defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { shownValue } from '../../packages/dynotally/src/strings/shown-value.ts';
import { planningClient } from '../support/planning-client.ts';

const board = defineRollup({
  name: 'board',
  groupBy: 'g',
  timeZone: 'Australia/Lord_Howe',
  granularities: ['minute', 'hour', 'day', 'month', 'all'],
  measures: { n: count(), l: last('x', { granularities: ['all'] }) },
  leaderboard: { measure: 'n', granularities: ['month', 'all'] },
});
const query = planningClient([board], Date.UTC(2026, 10, 22, 13, 5));
const g = { g: 'x' };
const bare = () => Object.create(null) as never;

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isDynotallyError(e) ? e.code : `raw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('a bad argument its message cannot print as JSON still gets its coded error', () => {
  it('a bigint where a duration, granularity, limit, measure, bucket, group or rollup belongs', () => {
    const e = query.explain;
    expect({
      duration: outcome(() => e.total(board, g, { last: 10n as never })),
      seriesWindow: outcome(() =>
        e.series(board, g, { granularity: 'hour', window: { last: 10n as never } }),
      ),
      granularity: outcome(() => e.series(board, g, { granularity: 10n as never, window: { lastDays: 2 } })),
      limit: outcome(() => e.top(board, { limit: 10n as never })),
      measure: outcome(() => e.top(board, { measure: 10n as never })),
      bucket: outcome(() => e.top(board, { bucket: 10n as never })),
      calendarOffset: outcome(() => e.top(board, { bucket: { calendar: 'month', offset: 10n as never } })),
      calendarUnit: outcome(() => e.top(board, { bucket: { calendar: 10n as never } })),
      group: outcome(() => e.total(board, 10n as never, { last: '24h' })),
      rollup: outcome(() => e.total(10n as never, g as never, { last: '24h' })),
    }).toEqual({
      duration: 'DURATION_INVALID',
      seriesWindow: 'DURATION_INVALID',
      granularity: 'GRANULARITY_INVALID',
      limit: 'QUERY_INVALID',
      measure: 'UNKNOWN_MEASURE',
      bucket: 'QUERY_INVALID',
      calendarOffset: 'QUERY_INVALID',
      calendarUnit: 'QUERY_INVALID',
      group: 'GROUP_INVALID',
      rollup: 'UNKNOWN_ROLLUP',
    });
  });

  it('an object without a prototype as an instant or as the rollup', () => {
    const e = query.explain;
    expect({
      from: outcome(() => e.total(board, g, { from: bare(), to: Date.UTC(2026, 10, 22) })),
      at: outcome(() => e.total(board, g, { last: '24h', at: bare() })),
      seriesFrom: outcome(() => e.series(board, g, { granularity: 'hour', from: bare(), to: 0 })),
      topAt: outcome(() => e.top(board, { bucket: 'month', at: bare() })),
      rollup: outcome(() => e.total(bare(), g as never, { last: '24h' })),
    }).toEqual({
      from: 'QUERY_INVALID',
      at: 'QUERY_INVALID',
      seriesFrom: 'QUERY_INVALID',
      topAt: 'QUERY_INVALID',
      rollup: 'UNKNOWN_ROLLUP',
    });
  });

  it('the message shows the value as written', async () => {
    const e = await query.top(board, { limit: 10n as never }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/not 10n/);
    expect(shownValue({ last: 10n })).toBe('{"last":"10n"}');
    expect(shownValue(Object.create(null))).toBe('{}');
    expect(shownValue(Symbol('s'))).toBe('Symbol(s)');
    expect(shownValue(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shownValue(cyclic)).toBe('[object Object]');
  });
});

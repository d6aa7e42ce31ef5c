// Fixed (session 20): rolling and rounded windows refused because of the history name the retention the rows were
// written under (query/history-refusal.ts).
// Review s20b (retention history): the refusal of a rolling window the history shortened. An explicit window whose
// edge bucket was written under an older, shorter retention is refused with a message naming the retention the
// rows were written under ("... was written while hour was kept 10d (the rollup's retention history) ... Only
// buckets written after every writer kept hour 400d get the longer retention", not-servable.ts). A rolling window
// (`{ last: '30d' }`) refused for the same reason goes through resolve-window.ts's `rolling`, whose message was not
// changed: it lists the definition's retentions and tells the caller to lengthen one.
// Observed (a rollup of minutes and hours whose hours went from 10 to 400 days five days ago, `last: '30d'`):
// "a rolling window of 30d starts before any granularity that could serve it is still kept (minute (kept 8d), hour
// (kept 400d)): shorten the window, or keep a granularity longer, e.g. retention: { hour: 'forever' }": hours are
// kept 400 days by this very definition, and the advice (lengthen it further, even to forever) changes nothing; the
// operator who just lengthened the retention is told the window is past it.
// Worse, following it for a rollup whose other granularities are kept forever makes the definition all-forever,
// which reads no history at all (s20b-retention-forever.int.test.ts): the refusal turns into silent zeros.
// Expected: a message (and details) naming the retention the rows were written under, as for an explicit window
// (e.g. "hour buckets from then were written while hour was kept 10d (the rollup's retention history)").
// Suggested fix: in `rolling` (and the explicit-window `round` branch's "starts before any granularity" error), when
// some granularity's configured retention keeps the from-bucket but bucketRetention() does not, say so, as
// not-servable.ts's writtenShorter does.

import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { planTotal } from '../../packages/dynotally/src/query/plan-total.ts';
import { historyByGranularity } from '../../packages/dynotally/src/retention/index.ts';

const D = 86_400_000;
const T = Date.UTC(2026, 5, 10, 9, 20);
const rollup = defineRollup({
  name: 'ret',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['minute', 'hour'],
  retention: { minute: '8d', hour: '400d' },
  measures: { n: count() },
});
// hour rows were written under 10 days until five days ago (then every writer kept them 400 days)
const history = historyByGranularity([
  { granularity: 'hour', retentionMs: 10 * D, firstSeen: T - 300 * D, lastSeen: T - 5 * D },
  { granularity: 'hour', retentionMs: 400 * D, firstSeen: T - 5 * D, lastSeen: T },
]);

describe('a rolling window refused by the retention history', () => {
  it('says the rows were written under the shorter retention, not that the configured one is too short', () => {
    let error: unknown;
    try {
      planTotal(rollup.compiled, { last: '30d' }, { now: T, history });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DynotallyError);
    expect((error as DynotallyError).code).toBe('WINDOW_NOT_SERVABLE');
    // observed: "... (minute (kept 8d), hour (kept 400d)): shorten the window, or keep a granularity longer, e.g.
    // retention: { hour: 'forever' }"
    expect((error as Error).message).not.toContain("retention: { hour: 'forever' }");
    expect((error as Error).message).toContain('10d');
  });

  it('a rounded explicit window refused for the same reason says so too', () => {
    let error: unknown;
    try {
      const from = new Date(T - 20 * D - 1234).toISOString();
      planTotal(
        rollup.compiled,
        { from, to: new Date(T).toISOString(), round: 'outward' },
        { now: T, history },
      );
    } catch (e) {
      error = e;
    }
    expect((error as DynotallyError).code).toBe('WINDOW_NOT_SERVABLE');
    expect((error as Error).message).toContain('written while hour was kept 10d');
    expect((error as DynotallyError).details).toMatchObject({ granularity: 'hour', writtenUnder: '10d' });
  });
});

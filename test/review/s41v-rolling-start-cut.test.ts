// Review s41v (adversarial review of s41q's rolling-window rewording). Severity: low.
// Finding: s41q's new refusal, for a rolling window under half a bucket of the finest granularity kept where it ends,
// names every finer granularity as "no longer kept there" (details.expired). A finer one can also have been passed
// over because it is kept where the window ends but not where it starts. On S0 (minute kept 8 d),
// `{ last: '20m', at: 8 days ago + 10 minutes }` was told "the finest granularity kept at <at> (minute is no longer
// kept there)": minutes are kept at <at>; it is the window's first 10 minutes that are not. (It used to get the
// generic "starts before any granularity that could serve it is still kept" refusal, which was right.)
// Fixed: `rolling` (resolve-window.ts) tells those apart: "minute is kept there but not where it starts, <start>",
// details.startsBeforeKept, and the advice to end the window later; the expired ones keep s41q's wording.
// Break-check: on main (a18e4b8c) the first case fails (the message says "minute is no longer kept there").
import { describe, expect, it } from 'vitest';
import { planTotal } from '../../packages/dynotally/src/query/plan-total.ts';
import { jobsPerCustomer } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { errorOf } from '../support/error-of.ts';

const D = 86_400_000;
const M = 60_000;
const NOW = Date.UTC(2026, 10, 22, 13, 5, 30);
const refusal = (last: string, at: number) =>
  errorOf(() => planTotal(jobsPerCustomer.compiled, { last, at }, { now: NOW }));

describe('a rolling window too short for an hour whose start is past the minutes kept', () => {
  it('20 minutes ending just inside the minutes kept: minutes are kept there, not where the window starts', () => {
    const at = NOW - 8 * D + 10 * M;
    const e = refusal('20m', at);
    expect(e.code).toBe('WINDOW_NOT_SERVABLE');
    expect(e.message).not.toContain('minute is no longer kept');
    expect(e.message).toContain(
      `minute is kept there but not where it starts, ${new Date(at - 20 * M).toISOString()}`,
    );
    expect(e.message).toContain('end it later');
    expect(e.details).toMatchObject({ finest: 'hour', startsBeforeKept: ['minute'] });
    expect(e.details).not.toHaveProperty('expired');
  });

  it('ending later, where minutes are kept from its start, it is served to the minute', () => {
    const w = planTotal(
      jobsPerCustomer.compiled,
      { last: '20m', at: NOW - 8 * D + 25 * M },
      { now: NOW },
    ).window;
    expect(w.precision).toBe('minute');
  });

  it('ending where minutes are not kept at all: still "no longer kept there" (s41q)', () => {
    const e = refusal('20m', NOW - 20 * D);
    expect(e.message).toContain('minute is no longer kept there');
    expect(e.details).toMatchObject({ finest: 'hour', expired: ['minute'] });
    expect(e.details).not.toHaveProperty('startsBeforeKept');
  });
});

// Review s41q (query client, rolling windows): a rolling window shorter than half a bucket of the finest granularity
// still kept where it ends (its finer ones past their retention) was refused with a message that contradicts itself.
// S0 (minute 8 d, hour 400 d, day forever), { last: '20m', at: 20 days ago }: "a rolling window of 20m starts before
// any granularity that could serve it is still kept (minute (kept 8d), hour (kept 400d), day (kept forever)): shorten
// the window, or keep a granularity longer, e.g. retention: { day: 'forever' }": hours of 20 days ago are kept, the
// window is no longer than the one asked for, and the advice is the rollup's retention already. The reason is that
// 20 minutes round to no hour (under half a bucket), as `{ last: '20s' }` now is told of minutes; likewise
// { last: '1h', at: 500 days ago } of days. `resolve-window.ts` said "shorter than half a bucket" only when the
// finest granularity of all was the one too short.
// Fixed: `rolling` names the finest granularity still kept where the window ends that the window is too short for,
// and the finer ones that are no longer kept there. Break-check: restoring the `tooShort === grans[0]` condition
// fails the first three cases (the old message); taking a granularity too short where it is no longer kept (no
// isRetained guard) fails the third (20 s ending 20 days ago named minutes, "the finest granularity kept").
import { describe, expect, it } from 'vitest';
import { planTotal } from '../../packages/dynotally/src/query/plan-total.ts';
import { jobsPerCustomer } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { errorOf } from '../support/error-of.ts';

const D = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 13, 5, 30);
const refusal = (last: string, at: number) =>
  errorOf(() => planTotal(jobsPerCustomer.compiled, { last, at }, { now: NOW }));

describe('a rolling window under half a bucket of the finest granularity kept where it ends', () => {
  it('20 minutes ending 20 days ago: too short for an hour, minutes no longer kept there', () => {
    const e = refusal('20m', NOW - 20 * D);
    expect(e.code).toBe('WINDOW_NOT_SERVABLE');
    expect(e.message).toMatch(/^a rolling window of 20m is shorter than half a hour bucket/);
    expect(e.message).toContain('minute is no longer kept');
    expect(e.message).not.toContain('starts before any granularity');
    expect(e.details).toMatchObject({ window: '20m', finest: 'hour', expired: ['minute'] });
  });

  it('an hour ending 500 days ago: too short for a day, minutes and hours no longer kept there', () => {
    const e = refusal('1h', NOW - 500 * D);
    expect(e.code).toBe('WINDOW_NOT_SERVABLE');
    expect(e.message).toMatch(/^a rolling window of 1h is shorter than half a day bucket/);
    expect(e.message).toContain('minute, hour are no longer kept');
    expect(e.details).toMatchObject({ finest: 'day', expired: ['minute', 'hour'] });
  });

  it('20 seconds ending 20 days ago: too short for an hour too, and minutes are not kept there', () => {
    const e = refusal('20s', NOW - 20 * D);
    expect(e.message).toMatch(/^a rolling window of 20s is shorter than half a hour bucket/);
    expect(e.details).toMatchObject({ finest: 'hour', expired: ['minute'] });
  });

  it('20 seconds now: too short for a minute, the finest of all (as before)', () => {
    const e = refusal('20s', NOW);
    expect(e.message).toMatch(
      /^a rolling window of 20s is shorter than half a minute bucket, the finest granularity kept/,
    );
    expect(e.details).toMatchObject({ finest: 'minute' });
  });

  it('a window long enough for a kept granularity is still served, past the finer ones', () => {
    const w = planTotal(jobsPerCustomer.compiled, { last: '13h', at: NOW - 500 * D }, { now: NOW }).window;
    expect(w.precision).toBe('day');
    const h = planTotal(jobsPerCustomer.compiled, { last: '40m', at: NOW - 20 * D }, { now: NOW }).window;
    expect(h.precision).toBe('hour');
  });
});

// Review s41d (dashboard, time zones): the page says when its state was read in the browser's own zone ("as of
// 7:20:37 AM", `toLocaleTimeString`), but S3's instant-power cards printed each reading's time as the wall clock of
// the rollup's zone, Europe/London (`at ${x.at.slice(11, 19)}` of an ISO string carrying London's offset), with no
// zone named. A developer anywhere but London read two clocks that disagree by hours: in Los Angeles the header said
// 7:20 AM and a reading taken 8 s earlier said "at 15:20:29", as if the meters had reported from the future (in
// London's summer a UTC browser was an hour off, too).
// Observed (browser in America/Los_Angeles): the reading's clock is 8 hours from the "as of" clock of the same
// state.
// Expected: a reading's time is shown in the page's zone, like "as of", so the two compare at a glance.
// Fixed (s41d): app.js shows S3's reading times with `toLocaleTimeString` of the reading's instant, as "as of" is
// shown; the panel's hour, day and month charts stay in Europe/London (the rollup's calendar, which the panel names).
import { describe, expect, it } from 'vitest';
import { useDashboardStack } from '../support/dashboard-stack.ts';
import { stackTables } from '../support/ddb.ts';

describe('S3 reading times in a browser outside London', () => {
  const dash = useDashboardStack({
    rate: 2,
    history: 5,
    seed: 11,
    scenarios: ['s3'],
    tables: stackTables('s41d-zone'),
  });

  it('shows a reading at the clock of the page zone, as "as of" is shown', { timeout: 420_000 }, async () => {
    const page = await dash.newPage({ timezoneId: 'America/Los_Angeles', locale: 'en-US' });
    await page.goto(dash.stack.dashboard.url, { waitUntil: 'load' });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid^="s3-power-"] .muted')?.textContent?.startsWith('at ') === true,
      undefined,
      { timeout: 120_000 },
    );
    const gap = () =>
      page.evaluate(() => {
        const card = document.querySelector('[data-testid^="s3-power-"] .muted') as HTMLElement;
        const at = document.querySelector('[data-testid="state-at"]') as HTMLElement;
        // seconds of the day of a clock text such as "7:20:29 AM" or "15:20:29"
        const seconds = (text: string): number => {
          const m = /(\d{1,2}):(\d{2}):(\d{2})\s*([AP]M)?/.exec(text);
          if (m === null) return Number.NaN;
          const h = m[4] === undefined ? Number(m[1]) : (Number(m[1]) % 12) + (m[4] === 'PM' ? 12 : 0);
          return h * 3600 + Number(m[2]) * 60 + Number(m[3]);
        };
        const shown = card.textContent ?? '';
        const d = Math.abs(seconds(shown) - seconds(at.textContent ?? '')) % 86_400;
        return { shown, asOf: at.textContent, seconds: Math.min(d, 86_400 - d) };
      });
    // The first card's meter reports every 10 s: once its live readings are drawn (the first state may still show a
    // backdated one), its reading is seconds before the state (minutes on a loaded machine's lagging worker), never
    // hours (the zone's offset).
    let last = await gap();
    await expect
      .poll(
        async () => {
          last = await gap();
          return last.seconds;
        },
        { timeout: 180_000, interval: 1_000, message: 'a reading and "as of" in the same zone' },
      )
      .toBeLessThan(600);
    expect(last.shown).toMatch(/^at /);
    await page.context().close();
  });
});

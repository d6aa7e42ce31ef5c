// The "change a rollup" demo driven from the dashboard page itself: a click on "Add revenue to S4", the promote
// button once version 2 is built, then the S4 panel's table shows a revenue column whose values are the ones the
// state API serves (quiesced, so they hold still). Then the backfill bar on a table whose item estimate is 0 (DynamoDB
// refreshes it about every six hours, so a fresh table's is): indeterminate beside the items scanned, not empty.
// Leaves screenshots in test-artifacts/.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DashboardState } from '../../packages/dynotally-cli/src/dashboard/state/types.ts';
import { useDashboardStack } from '../support/dashboard-stack.ts';
import { stackTables, uniqueTableName } from '../support/ddb.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOT = join(ROOT, 'test-artifacts', 'dashboard-change-rollup.png');
const UNSIZED_SHOT = join(ROOT, 'test-artifacts', 'dashboard-backfill-unsized.png');

describe('dashboard: change a rollup', () => {
  const dash = useDashboardStack({
    rate: 2,
    history: 150,
    seed: 5,
    scenarios: ['s4'],
    s4: 'direct', // what is tested here is the page; the Redis-buffered case runs in change-rollup.int.test.ts
    tables: { ...stackTables('cr'), claims: uniqueTableName('cr-claims') },
  });

  it('adds revenue from the button, promotes it, and shows the revenue the API serves', {
    timeout: 600_000,
  }, async () => {
    const page = await dash.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(dash.stack.url, { waitUntil: 'load', timeout: 170_000 });
    await expect(page.getByTestId('s4-revenue-head').isHidden()).resolves.toBe(true);
    await page.getByTestId('demo-start').click();
    const promote = page.locator('[data-testid="demo-promote"]:not([disabled])');
    await promote.waitFor({ state: 'visible', timeout: 540_000 });
    expect(Number(await page.getByTestId('demo-backfill').getAttribute('data-scanned'))).toBeGreaterThan(0);
    await promote.click();
    await page.getByTestId('s4-revenue-head').waitFor({ state: 'visible', timeout: 120_000 });
    await page.locator('[data-testid="demo-version-2"][data-state="serving"]').waitFor({ timeout: 120_000 });

    await dash.stack.quiesce(); // generators paused, every worker idle: the numbers hold still
    const state = await dash.stack.dashboard.state();
    const rows = state.panels.s4?.stores ?? [];
    expect(rows.length).toBeGreaterThan(0);
    const first = rows[0];
    // The page polls every 1.5 s: wait until it draws the quiesced state, then compare every row.
    await page.waitForFunction(
      ([id, value]) =>
        document.querySelector(`[data-testid="s4-revenue-${id}"]`)?.getAttribute('data-value') === value,
      [first?.storeId, first?.revenueRaw],
      { timeout: 120_000 },
    );
    const shown = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid^="s4-revenue-"]'))
        .filter((e) => e.getAttribute('data-testid') !== 's4-revenue-head')
        .map((e) => [
          e.getAttribute('data-testid')?.slice('s4-revenue-'.length),
          e.getAttribute('data-value'),
        ]),
    );
    expect(shown).toEqual(rows.map((r) => [r.storeId, r.revenueRaw]));
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    await page.close();
  });

  // Review s31 finding 6: with the estimate 0 the bar sat at 0 while thousands of items were scanned. DynamoDB Local
  // sizes its tables at once, so the state the page polls is rewritten to a build in progress on an unsized table.
  it('draws the backfill of a table not sized yet as an indeterminate bar beside the items scanned', {
    timeout: 300_000,
  }, async () => {
    const page = await dash.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.route('**/api/state**', async (route) => {
      const res = await route.fetch();
      const state = (await res.json()) as DashboardState;
      const d = state.changeRollup;
      if (d?.backfill) {
        d.phase = 'backfilling';
        d.backfill = { ...d.backfill, estimatedItems: 0, estimatedOwnItems: 0, share: null, etaMs: 0 };
      }
      await route.fulfill({ response: res, json: state });
    });
    await page.goto(dash.stack.url, { waitUntil: 'load', timeout: 170_000 });
    // the embedded first state is the real one (built, serving); the first poll (every 1.5 s) draws the rewritten
    await page
      .locator('[data-testid="demo-progress"]:indeterminate')
      .waitFor({ state: 'visible', timeout: 60_000 });
    const line = page.getByTestId('demo-backfill');
    expect(await line.textContent()).toMatch(
      /^[\d,]+ items? scanned.* · the table's size is not estimated yet · /,
    );
    expect(Number(await line.getAttribute('data-scanned'))).toBeGreaterThan(0);
    await page.getByTestId('s4-demo').screenshot({ path: UNSIZED_SHOT });
    // a poll (every 1.5 s) may be inside the route when the page closes: its fetch then rejects outside the test
    // (CI run B of session 34 failed on that unhandled rejection), so the route goes first, its calls in flight ignored
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.close();
  });
});

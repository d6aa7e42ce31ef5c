// Review s42n (dashboard): percentages followed no one rule: S1's quota share and S4's conversion were formatted with
// at most one decimal, so a whole value lost its decimal and a table read `20 %` above `29.3 %`.
// Expected: every percentage with one decimal (`20.0 %`, `29.3 %`, `100.0 %`).
// Fixed (s42n): app.js formats every percentage through one `percent()` (minimum and maximum one decimal).
// Break-check: with `percent()` back to at most one decimal (`minimumFractionDigits` removed), S1 shows `20 %` and
// `100 %`, S4 `20 %`, and the test fails on them.
// The page is served by a bare dashboard; its polls are answered with a state whose values are whole and fractional
// percentages, so the test does not hang on what a live stack happens to count.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import { launchChromium } from '../support/chromium.ts';
import { recordingGenerators, startBareDashboard } from '../support/dashboard-http.ts';

let browser: Browser;
let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startBareDashboard({ generators: recordingGenerators() });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

describe('dashboard percentages', () => {
  it('are all said with one decimal', { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    await page.route('**/api/state**', async (route) => {
      const state = await (await route.fetch()).json();
      state.scenarios = ['s1', 's4'];
      state.panels = {
        s1: {
          window: 'this month',
          month: '2026-12',
          projects: [
            { projectId: 'atlas', scans: 60, bytes: 1, quota: 300, percent: 20 },
            { projectId: 'borealis', scans: 88, bytes: 1, quota: 300, percent: 29.3 },
            { projectId: 'cirrus', scans: 300, bytes: 1, quota: 300, percent: 100 },
          ],
        },
        s4: {
          window: 'last 30 days',
          store: 'store-1',
          measures: ['orders', 'views'],
          days: [{ label: '12-07', orders: 1, views: 4 }],
          stores: [
            { storeId: 'store-1', orders: 1, views: 4 },
            { storeId: 'store-2', orders: 1, views: 2 },
          ],
        },
      };
      state.freshness = {};
      await route.fulfill({ json: state });
    });
    await page.goto(`http://127.0.0.1:${dashboard.port}/`, { waitUntil: 'load' });
    const text = (id: string) => page.locator(`[data-testid="${id}"]`).textContent({ timeout: 60_000 });
    expect(await text('s1-percent-atlas')).toBe('20.0 %');
    expect(await text('s1-percent-borealis')).toBe('29.3 %');
    expect(await text('s1-percent-cirrus')).toBe('100.0 %');
    expect(await text('s4-conversion-store-1')).toBe('20.0 %');
    expect(await text('s4-conversion-store-2')).toBe('33.3 %');
  });
});

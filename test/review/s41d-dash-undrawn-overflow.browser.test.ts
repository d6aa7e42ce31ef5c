// Review s41d (dashboard, looked at as a user): while a panel has no data to draw (its reads fail, e.g. DynamoDB Local
// is down, or before the first state), its chart canvases keep the browser's default size, 300 × 150 px. S3's three
// charts sit side by side in a grid of 1fr columns (`.three`): three 300 px canvases overflow their columns, so the
// whole page scrolls sideways (a 1400 px window held a 1454 px page, a 700 px one 759 px), the right-hand panels
// drifting out of view exactly when the page shows an error banner to read.
// Observed: document scrollWidth 1454 in a 1400 px viewport, the overflow being `canvas[data-testid=s3-monthly]`.
// Expected: the page is never wider than the window; an undrawn chart fits its box.
// Fixed (s41d): app.css caps a chart's canvas at its box's width (`.chart canvas { max-width: 100% }`); chart.js sizes
// drawn charts to the box anyway.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  type DashboardServer,
  startDashboardServer,
} from '../../packages/dynotally-cli/src/dashboard/index.ts';
import { launchChromium, PAGE_TIMEOUT_MS } from '../support/chromium.ts';

let browser: Browser;
let dashboard: DashboardServer;
beforeAll(async () => {
  // every read fails as it does with DynamoDB Local gone: every panel is in `errors`, none is drawn
  const refused = async (): Promise<never> => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  };
  const query = new Proxy({}, { get: () => refused }) as unknown as QueryClient;
  dashboard = await startDashboardServer({ query, port: 0, sources: { meters: () => ['meter-01'] } });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

describe('the dashboard with no panel drawn', () => {
  it.each([1400, 700])('is no wider than a %i px window', { timeout: 300_000 }, async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(dashboard.url, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await page.waitForSelector('[data-testid="error"]:not([hidden])', { timeout: PAGE_TIMEOUT_MS });
    const [scroll, client, wide] = await page.evaluate(() => {
      const d = document.documentElement;
      const over = Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > d.clientWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}[${e.getAttribute('data-testid') ?? ''}]`);
      return [d.scrollWidth, d.clientWidth, over] as const;
    });
    expect(scroll, `wider than the window: ${wide.join(', ')}`).toBeLessThanOrEqual(client);
    await page.close();
  });
});

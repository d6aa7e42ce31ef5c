// `dev --host 0.0.0.0 --remote-control` in a real browser: the page opened at the printed URL (its token in the
// fragment) polls the state and drives the generators, from this machine and from its LAN address; the same page
// without the token is refused the API and says so. The dashboard runs no panel here (no DynamoDB needed).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import { launchChromium } from '../support/chromium.ts';
import { lanAddress, recordingGenerators, startBareDashboard } from '../support/dashboard-http.ts';

const lan = lanAddress();

const generators = recordingGenerators([
  {
    id: 's0',
    rate: 2,
    written: { insert: 0, modify: 0, delete: 0, resend: 0 },
    total: 0,
    errors: 0,
    lastWriteAt: 0,
  },
]);

describe('a remote-control dashboard in a browser', () => {
  let dashboard: DashboardServer;
  let browser: Browser;
  beforeAll(async () => {
    dashboard = await startBareDashboard({ generators, host: '0.0.0.0', remoteControl: true });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  const updates = async (url: string) => {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    return page;
  };

  it.each([['this machine', '127.0.0.1'], ...(lan === undefined ? [] : [['the LAN address', lan]])])(
    'polls and pauses the generators from %s with the URL token',
    { timeout: 120_000 },
    async (_, ip) => {
      generators.resume();
      const page = await updates(dashboard.pageUrl.replace('127.0.0.1', ip as string));
      await expect
        .poll(() => page.getAttribute('[data-testid="updates"]', 'data-value').then(Number), {
          timeout: 30_000,
        })
        .toBeGreaterThanOrEqual(2);
      await page.click('[data-testid="toggle-generators"]');
      await expect.poll(() => generators.paused, { timeout: 30_000 }).toBe(true);
      expect(await page.isHidden('[data-testid="error"]')).toBe(true);
      await page.close();
    },
  );

  it('without the token the page is refused the API and says so', { timeout: 120_000 }, async () => {
    const page = await updates(dashboard.url);
    await expect
      .poll(() => page.textContent('[data-testid="error"]'), { timeout: 30_000 })
      .toContain('need the token');
    await page.close();
  });
});

// Review s44d (dashboard): the page said every count in the plural ("1 workers", "1 dead letters", "1 updates",
// "1 records read"), where the CLI says a count of one in the singular (cli/output/plural.ts).
// Expected: the CLI's rule on the page: singular for exactly one, plural otherwise, counts in en-US digits.
// Fixed (s44d): app.js says its counts through a local `plural()` (the CLI's rule; the page is served without a
// build step, so it cannot import the TypeScript helper).
// Break-check: with `plural()` always taking the plural noun, the first test fails on "1 records read".
// The page is served by a bare dashboard; its polls are answered with a state whose counts are one, then more.
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

/** The page with every poll answered by the state of `n` of each count. */
async function pageWith(n: number) {
  const page = await browser.newPage();
  await page.route('**/api/state**', async (route) => {
    const state = await (await route.fetch()).json();
    state.worker = { records: n, recordsPerSecond: 0, shards: n, workers: n, deadLettered: n, errors: n };
    state.reads = { itemsRead: n, readUnits: 0.5, ms: 3 };
    state.changeRollup = {
      phase: 'backfilling',
      version: 2,
      versions: [],
      streamRecords: n,
      backfill: {
        scannedBefore: 0,
        scanned: n,
        folded: n,
        claimedLive: 0,
        itemsPerSecond: 1,
        share: 0.5,
        etaMs: 0,
      },
    };
    await route.fulfill({ json: state });
  });
  await page.goto(`http://127.0.0.1:${dashboard.port}/`, { waitUntil: 'load' });
  // the first paint is the server's state, inlined in the page; then the polls, answered above
  await page.waitForFunction(
    () => document.querySelector('[data-testid="worker-status"]')?.textContent?.startsWith('stream:'),
    undefined,
    { timeout: 60_000 },
  );
  const text = (id: string) => page.locator(`[data-testid="${id}"]`).textContent({ timeout: 60_000 });
  return { page, text };
}

describe('dashboard counts', () => {
  it('say a count of one in the singular', { timeout: 120_000 }, async () => {
    const { page, text } = await pageWith(1);
    const worker = await text('worker-status');
    expect(worker).toContain('stream: 1 record read');
    expect(worker).toContain('· 1 shard');
    expect(worker).not.toContain('worker'); // one worker is not said at all
    expect(worker).toContain('· 1 dead letter');
    expect(worker).toMatch(/· 1 error$/);
    expect(await text('reads')).toMatch(/^reads: 1 item, /);
    expect(await text('demo-backfill')).toMatch(/^1 item scanned · /);
    expect(
      await page.locator('#s4-demo .note, [data-testid="demo-versions"] .note').first().textContent(),
    ).toBe("version 2's stream side: 1 record read");
    // the updates counter, whatever it reached: read with its value in one go
    const [value, said] = await page.$eval('[data-testid="updates"]', (e) => [
      (e as HTMLElement).dataset.value ?? '',
      e.textContent ?? '',
    ]);
    expect(said).toBe(value === '1' ? '1 update' : `${Number(value).toLocaleString('en-US')} updates`);
    await page.close();
  });

  it('and every other count in the plural', { timeout: 120_000 }, async () => {
    const { page, text } = await pageWith(1204);
    const worker = await text('worker-status');
    expect(worker).toContain('stream: 1,204 records read');
    expect(worker).toContain('· 1,204 shards · 1,204 workers · 1,204 dead letters · 1,204 errors');
    expect(await text('reads')).toMatch(/^reads: 1,204 items, /);
    expect(await text('demo-backfill')).toMatch(/^1,204 items scanned · /);
    await page.waitForFunction(
      () =>
        /^[2-9]\d* updates$|^\d{2,} updates$/.test(
          document.querySelector('[data-testid="updates"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    await page.close();
  });
});

// The live dashboard of a running dev stack, in headless Debian chromium: every number shown equals the
// query client's answer for the same instant (read while the generators are paused and the worker has
// folded everything), the page updates itself as events arrive, and a screenshot is kept.
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createQueryClient, type QueryClient } from '../../packages/dynotally/src/query/index.ts';
import { type DevStack, startDevStack } from '../../packages/dynotally-cli/src/dev/index.ts';
import {
  CUSTOMERS,
  energyPerMeter,
  favouritesPerRestaurant,
  jobsPerCustomer,
  PROJECTS,
  referenceRollups,
  STORES,
  scansPerProject,
  storeMetrics,
} from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { launchChromium, PAGE_TIMEOUT_MS } from '../support/chromium.ts';
import { ddbReady, stackTables } from '../support/ddb.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOT = join(ROOT, 'test-artifacts', 'dashboard.png');
const DOCS_SHOT = join(ROOT, 'docs', 'dashboard.png');

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** `[suffix of data-testid, data-value]` of every element whose test id starts with `prefix`. */
function valuesOf(page: Page, prefix: string): Promise<[string, string][]> {
  return page.$$eval(
    `[data-testid^="${prefix}"]`,
    (els, p) =>
      els.map((e) => [
        (e as HTMLElement).dataset.testid?.slice(p.length) ?? '',
        (e as HTMLElement).dataset.value ?? '',
      ]),
    prefix,
  ) as Promise<[string, string][]>;
}

/** The data of the chart drawn on the canvas with this test id. */
function chartData(page: Page, testid: string): Promise<number[][]> {
  return page.$eval(byTestId(testid), (canvas) => {
    const chart = (
      globalThis as unknown as {
        Chart: { getChart(c: unknown): { data: { datasets: { data: number[] }[] } } };
      }
    ).Chart.getChart(canvas);
    return chart.data.datasets.map((d) => [...d.data]);
  });
}

/**
 * The curve control points of the line datasets drawn on these canvases that leave the range of the two points
 * their segment joins: an overshoot, a smoothed count line dipping below 0 or above its neighbours.
 */
function overshoots(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (canvases) => {
    type Point = { y: number; cp1y?: number; cp2y?: number };
    type Meta = { type: string; data: Point[] };
    const out: string[] = [];
    for (const canvas of canvases) {
      const chart = (
        globalThis as unknown as {
          Chart: { getChart(c: unknown): { data: { datasets: unknown[] }; getDatasetMeta(i: number): Meta } };
        }
      ).Chart.getChart(canvas);
      chart.data.datasets.forEach((_, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.type !== 'line') return;
        for (let k = 0; k + 1 < meta.data.length; k += 1) {
          const a = meta.data[k] as Point;
          const b = meta.data[k + 1] as Point;
          const lo = Math.min(a.y, b.y) - 0.5;
          const hi = Math.max(a.y, b.y) + 0.5;
          for (const y of [a.cp2y, b.cp1y])
            if (y !== undefined && (y < lo || y > hi))
              out.push(
                `${(canvas as HTMLElement).dataset.testid} dataset ${i} segment ${k}: ${y} outside ${lo}…${hi}`,
              );
        }
      });
    }
    return out;
  });
}

/** Waits until the page shows a state evaluated at or after `since` (epoch ms); returns its instant. */
async function stateSince(page: Page, since: number): Promise<number> {
  await expect
    .poll(async () => Number((await page.getAttribute(byTestId('state-at'), 'data-value')) || 0), {
      timeout: 60_000,
      interval: 250,
    })
    .toBeGreaterThanOrEqual(since);
  // The panels are drawn in the same render pass as the instant; let it finish.
  await page.waitForFunction(() => document.querySelector('[data-testid="s4-rows"]')?.children.length !== 0);
  return Number(await page.getAttribute(byTestId('state-at'), 'data-value'));
}

/** Asserts that every number on the page equals what the test's own query client answers at `at`. */
async function expectPageEqualsQueries(page: Page, query: QueryClient, at: number): Promise<void> {
  // S0: jobs in the last 24 h, the 8 busiest customers.
  const s0 = await query.totalMany(
    jobsPerCustomer,
    CUSTOMERS.map((customerId) => ({ customerId })),
    { last: '24h', at },
  );
  const jobs = new Map(s0.results.map((r) => [String(r.group.customerId), String(r.values.jobs)]));
  const shownJobs = await valuesOf(page, 's0-jobs-');
  expect(shownJobs).toHaveLength(8);
  for (const [customer, value] of shownJobs) expect(value, `S0 ${customer}`).toBe(jobs.get(customer));
  const eighth = [...jobs.values()].map(Number).sort((a, b) => b - a)[7] as number;
  for (const [, value] of shownJobs) expect(Number(value)).toBeGreaterThanOrEqual(eighth);

  // S1: scans this month per project.
  const shownScans = await valuesOf(page, 's1-scans-');
  expect(shownScans.map(([p]) => p)).toEqual(PROJECTS.map((p) => p.id));
  for (const [projectId, value] of shownScans) {
    const r = await query.total(scansPerProject, { projectId }, { calendar: 'month', at });
    expect(value, `S1 ${projectId}`).toBe(String(r.values.scans));
  }

  // S2: leaderboards, all time and this month.
  for (const [bucket, prefix] of [
    ['all', 's2-all-'],
    ['month', 's2-month-'],
  ] as const) {
    const top = await query.top(favouritesPerRestaurant, { measure: 'favourites', bucket, limit: 10, at });
    const shown = await page.$$eval(`[data-testid^="${prefix}"]`, (els) =>
      els.map((e) => [(e as HTMLElement).dataset.group, (e as HTMLElement).dataset.value]),
    );
    expect(shown, `S2 ${bucket}`).toEqual(
      top.entries.map((e) => [String(e.groupValues[0]), String(e.value)]),
    );
    expect(shown.length).toBeGreaterThan(0);
  }

  // S3: the selected meter's energy (exact decimals), its charts, and every meter's instant power.
  const meter = await page.$eval(byTestId('s3-meter'), (s) => (s as HTMLSelectElement).value);
  const group = { deviceId: meter };
  for (const [testid, calendar] of [
    ['s3-today', 'day'],
    ['s3-month', 'month'],
    ['s3-year', 'year'],
  ] as const) {
    const r = await query.total(energyPerMeter, group, { calendar, at }, { measures: ['wh'] });
    expect(await page.getAttribute(byTestId(testid), 'data-value'), `S3 ${testid}`).toBe(String(r.values.wh));
  }
  const hourly = await query.series(
    energyPerMeter,
    group,
    { granularity: 'hour', window: { calendar: 'day', at } },
    { measures: ['wh'] },
  );
  expect((await chartData(page, 's3-hourly'))[0]).toEqual(hourly.points.map((p) => Number(p.values.wh ?? 0)));
  const daily = await query.series(
    energyPerMeter,
    group,
    { granularity: 'day', window: { calendar: 'month', at } },
    { measures: ['wh'] },
  );
  expect((await chartData(page, 's3-daily'))[0]).toEqual(daily.points.map((p) => Number(p.values.wh ?? 0)));
  const power = await valuesOf(page, 's3-power-');
  expect(power.length).toBeGreaterThan(0);
  for (const [deviceId, value] of power) {
    const r = await query.latest(energyPerMeter, { deviceId }, { measures: ['power'] });
    expect(value, `S3 power ${deviceId}`).toBe(String(r.values.power?.value));
  }

  // S4: 30-day orders and views of the busiest stores, and the selected store's days.
  const s4 = await query.totalMany(
    storeMetrics,
    STORES.map((storeId) => ({ storeId })),
    { lastDays: 30, at },
  );
  const s4values = new Map(s4.results.map((r) => [String(r.group.storeId), r.values]));
  const orders = await valuesOf(page, 's4-orders-');
  expect(orders).toHaveLength(8);
  for (const [storeId, value] of orders)
    expect(value, `S4 orders ${storeId}`).toBe(String(s4values.get(storeId)?.orders));
  for (const [storeId, value] of await valuesOf(page, 's4-views-')) {
    expect(value, `S4 views ${storeId}`).toBe(String(s4values.get(storeId)?.views));
  }
  // conversion: orders ÷ (orders + views), so a quiet store with more orders than views stays within 100 %
  const conversions = await valuesOf(page, 's4-conversion-');
  expect(conversions).toHaveLength(8);
  for (const [storeId, value] of conversions) {
    const v = s4values.get(storeId);
    const seen = Number(v?.orders) + Number(v?.views);
    expect(value, `S4 conversion ${storeId}`).toBe(seen > 0 ? String((100 * Number(v?.orders)) / seen) : '');
    if (value !== '') expect(Number(value)).toBeLessThanOrEqual(100);
  }
  // every percentage on the page has one decimal (review s42n: S1's quota share said `20 %` beside `29.3 %`)
  const percentages = await page.$$eval('td', (tds) =>
    tds.map((td) => td.textContent ?? '').filter((t) => t.endsWith('%')),
  );
  expect(percentages.length).toBeGreaterThanOrEqual(PROJECTS.length);
  for (const text of percentages) expect(text).toMatch(/^\d{1,3}(,\d{3})*\.\d %$/);
  const store = await page.$eval(byTestId('s4-store'), (s) => (s as HTMLSelectElement).value);
  const days = await query.series(
    storeMetrics,
    { storeId: store },
    { granularity: 'day', window: { lastDays: 30, at } },
  );
  const [views, ordersByDay] = await chartData(page, 's4-chart');
  expect(views).toEqual(days.points.map((p) => Number(p.values.views)));
  expect(ordersByDay).toEqual(days.points.map((p) => Number(p.values.orders)));
}

describe('dashboard in chromium', () => {
  let stack: DevStack;
  let browser: Browser;
  let page: Page;
  let client: DynamoDBClient;
  let query: QueryClient;

  beforeAll(async () => {
    const endpoint = await ddbReady();
    stack = await startDevStack({
      endpoint,
      port: 0,
      rate: 2,
      history: 250,
      seed: 2026,
      tables: stackTables('dash'),
    });
    client = new DynamoDBClient(localClientConfig(endpoint));
    // S4 runs buffered when redis-server is installed: its unflushed buckets are part of every answer
    const liveSource = stack.s4.liveSource;
    query = createQueryClient({
      client,
      table: stack.tables.aggregate,
      rollups: referenceRollups,
      ...(liveSource === undefined ? {} : { liveSource }),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1200 } });
    // the page's HTML embeds a state read from DynamoDB Local: seconds at load 15, against playwright's default 30 s
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    query?.close();
    client?.destroy();
  }, 60_000);

  it('shows exactly what the query client answers, read at a quiet moment', {
    timeout: 600_000,
  }, async () => {
    await new Promise((r) => setTimeout(r, 3_000)); // some live events first
    await stack.quiesce();
    const quiet = Date.now();
    await page.goto(stack.url);
    expect(await page.title()).toBe('dynotally — live aggregates');
    const at = await stateSince(page, quiet);
    for (const id of ['s0', 's1', 's2', 's3', 's4'])
      expect(await page.isVisible(byTestId(`panel-${id}`))).toBe(true);
    expect(await page.isHidden(byTestId('error')), (await page.textContent(byTestId('error'))) ?? '').toBe(
      true,
    );
    // the window's description names its zone once (it was printed twice)
    expect(await page.textContent(byTestId('s1-window'))).toMatch(
      /^this month \(M\d{4}-\d{2}, America\/New_York\)$/,
    );
    await expectPageEqualsQueries(page, query, at);
    // Review s42u: S4's orders line (tension 0.2) dipped below 0 between a day of 1 order and a day of 0, and
    // S0's sparklines (tension 0.3) likewise: counts drawn as monotone curves stay between their points.
    expect(await page.$$(`${byTestId('s4-chart')}, [data-testid^="s0-spark-"]`)).not.toHaveLength(0);
    expect(await overshoots(page, `${byTestId('s4-chart')}, [data-testid^="s0-spark-"]`)).toEqual([]);
    // percentages keep one decimal in their columns ('21 %' stood beside '32.3 %')
    const percents = await page.$$eval(
      '[data-testid^="s1-percent-"], [data-testid^="s4-conversion-"]',
      (els) => els.map((e) => e.textContent ?? ''),
    );
    expect(percents.length).toBeGreaterThan(0);
    expect(percents.filter((t) => t !== '–' && !/^\d[\d,]*\.\d %$/.test(t))).toEqual([]);
  });

  it('updates live as events arrive, without a reload, and stays exact', { timeout: 600_000 }, async () => {
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = {
      updates: Number(await page.getAttribute(byTestId('updates'), 'data-value')),
      today: await page.getAttribute(byTestId('s3-today'), 'data-value'),
      jobs: (await valuesOf(page, 's0-jobs-')).reduce((n, [, v]) => n + Number(v), 0),
      generated: stack.runner.stats().reduce((n, s) => n + s.total, 0),
    };
    stack.resume();
    await expect
      .poll(
        async () => {
          const today = await page.getAttribute(byTestId('s3-today'), 'data-value');
          const jobs = (await valuesOf(page, 's0-jobs-')).reduce((n, [, v]) => n + Number(v), 0);
          return today !== before.today && jobs !== before.jobs;
        },
        { timeout: 180_000, interval: 1_000 },
      )
      .toBe(true);
    expect(Number(await page.getAttribute(byTestId('updates'), 'data-value'))).toBeGreaterThan(
      before.updates,
    );
    expect(stack.runner.stats().reduce((n, s) => n + s.total, 0)).toBeGreaterThan(before.generated);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );

    // Freshness is measured from live writes: most panels have samples after a few seconds.
    await expect
      .poll(
        async () =>
          (await valuesOf(page, 's')).filter(([id, v]) => id.endsWith('-freshness') && v !== '').length,
        {
          timeout: 120_000,
          interval: 1_000,
        },
      )
      .toBeGreaterThanOrEqual(3);

    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    // The README's copy is refreshed on request (or when missing), so a test run leaves the checkout clean.
    if (process.env.DYNOTALLY_UPDATE_SCREENSHOT === '1' || !existsSync(DOCS_SHOT))
      await copyFile(SHOT, DOCS_SHOT);

    // Still exact after live updates: quiet again and compare.
    await stack.quiesce();
    const quiet = Date.now();
    const at = await stateSince(page, quiet);
    await expectPageEqualsQueries(page, query, at);
    stack.resume();
  });
});

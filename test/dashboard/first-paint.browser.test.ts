// The dashboard draws its first state with the page: the server embeds the state in the HTML, so with every
// /api/state request blocked (no poll can help) the panels are filled when `load` fires — a plain headless
// screenshot right after load is not blank — and the strict Content-Security-Policy reports no violation.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDashboardStack } from '../support/dashboard-stack.ts';
import { stackTables } from '../support/ddb.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOT = join(ROOT, 'test-artifacts', 'dashboard-first-paint.png');

describe('dashboard first paint', () => {
  const dash = useDashboardStack(
    {
      rate: 1,
      history: 60,
      seed: 7,
      s4: 'direct', // first paint does not depend on the Redis buffer (its 2 s reads time out at load 40)
      tables: stackTables('paint'),
    },
    { quiesce: true },
  );

  it('is filled at load with /api/state blocked, under a CSP that nothing violates', {
    timeout: 360_000,
  }, async () => {
    const page = await dash.newPage({ viewport: { width: 1440, height: 1200 } });
    const polls: string[] = [];
    await page.route('**/api/state**', (route) => {
      polls.push(route.request().url());
      return route.abort();
    });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    // The header counts the shards the worker holds; at load 35 a lease renewal can lapse and the worker holds
    // none for a moment (seen: 0 shards). Load the page while it holds its shard.
    await expect
      .poll(() => new Set(dash.stack.workerStats().shards.map((x) => x.shardId)).size, { timeout: 120_000 })
      .toBe(1);
    await page.goto(dash.stack.url, { waitUntil: 'load', timeout: 340_000 }); // patient under load
    // Read at once, before any poll could have been answered (they are all blocked anyway).
    const shown = await page.evaluate(() => {
      const q = (id: string) => document.querySelector(`[data-testid="${id}"]`);
      const chart = (id: string) =>
        (
          globalThis as unknown as {
            Chart: { getChart(c: unknown): { data: { datasets: { data: number[] }[] } } | undefined };
          }
        ).Chart.getChart(q(id))?.data.datasets[0]?.data.length ?? 0;
      return {
        hidden: ['s0', 's1', 's2', 's3', 's4'].filter((id) => (q(`panel-${id}`) as HTMLElement).hidden),
        s0: q('s0-rows')?.children.length ?? 0,
        s1: q('s1-rows')?.children.length ?? 0,
        s2: q('s2-all')?.children.length ?? 0,
        s3: (q('s3-today') as HTMLElement).dataset.value ?? '',
        s4: q('s4-rows')?.children.length ?? 0,
        s4Chart: chart('s4-chart'),
        s1Chart: chart('s1-chart'),
        at: (q('state-at') as HTMLElement).dataset.value ?? '',
        shards: (q('worker-status') as HTMLElement).dataset.shards ?? '',
      };
    });
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    const embedded = JSON.parse((await page.textContent('#initial-state')) ?? '{}') as {
      errors: Record<string, string>;
    };
    expect(embedded.errors).toEqual({});
    expect(shown.hidden).toEqual([]);
    expect(shown.s0).toBeGreaterThan(0);
    expect(shown.s1).toBeGreaterThan(0);
    expect(shown.s2).toBeGreaterThan(0);
    expect(shown.s3).not.toBe('');
    expect(shown.s4).toBeGreaterThan(0);
    expect(shown.s4Chart).toBe(30);
    expect(shown.s1Chart).toBeGreaterThan(0);
    expect(Number(shown.at)).toBeGreaterThan(0);
    expect(shown.shards).toBe('1');
    expect(violations).toEqual([]);
    await page.unrouteAll({ behavior: 'ignoreErrors' }); // a poll in the route as the page closes rejects otherwise
    await page.close();
  });
});

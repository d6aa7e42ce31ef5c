// The dashboard of `dynotally dev --scenarios none` (your rollups over your own table, no generator). Review s42u:
// the page was blank below the header, which still offered "Set rate" for generators that do not exist: nothing
// said that the reference panels are left out, nor where the user's own aggregates are read. It now says so in a
// panel of its own, and hides the generator controls.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { useDashboardStack } from '../support/dashboard-stack.ts';
import { stackTables } from '../support/ddb.ts';

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});

describe('dashboard of dev --scenarios none', () => {
  const dash = useDashboardStack({ scenarios: [], rollups: [orders], tables: stackTables('none') });

  it('says that no reference scenario runs and where to read, and offers no generator controls', {
    timeout: 360_000,
  }, async () => {
    const page = await dash.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(dash.stack.url, { waitUntil: 'load', timeout: 300_000 });
    const id = (testid: string) => `[data-testid="${testid}"]`;
    expect(await page.isVisible(id('no-scenarios'))).toBe(true);
    expect(await page.textContent(id('no-scenarios'))).toMatch(/--scenarios none[\s\S]*dynotally query/);
    expect(await page.isHidden(id('controls'))).toBe(true);
    expect(await page.isHidden(id('rate-apply'))).toBe(true);
    for (const s of ['s0', 's1', 's2', 's3', 's4']) expect(await page.isHidden(id(`panel-${s}`))).toBe(true);
  });
});

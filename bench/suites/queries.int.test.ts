import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../../test/support/ddb.ts';
import { runQueryBench } from './queries.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('query benchmark (tiny)', () => {
  it('runs both systems on the same data and they agree; dynotally reads the rows the planner promises', async () => {
    const r = await runQueryBench({
      client: clients.ddb,
      s0Customers: 2,
      s0EventsPerCustomer: 300,
      s4Events: 600,
      s4Stores: 15,
      repeats: 2,
    });
    expect(r.figures).toHaveLength(6);
    for (const f of r.figures) expect(f.agrees, `${f.query} ${f.system}`).toBe(true);
    const get = (q: string, s: string) => r.figures.find((f) => f.query.startsWith(q) && f.system === s);
    expect(get('rolling', 'dynotally')).toMatchObject({ requests: 1 });
    expect(get('rolling', 'dynotally')?.items).toBeLessThanOrEqual(25);
    expect(get('rolling', 'baseline')?.items).toBeGreaterThan(25);
    expect(get('30 days', 'dynotally')).toMatchObject({ requests: 1, items: 2 });
    expect(get('top 10', 'dynotally')?.items).toBeLessThanOrEqual(11);
    expect(r.markdown).toMatch(/\| query \| system \| how \|/);
  }, 240_000);
});

// The dashboard's JSON: values beyond 2^53 (bigint group values and counts) serialise exactly instead of
// throwing, and the state embedded in the page cannot end its <script> element whatever a group is called.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createQueryClient } from '../../../dynotally/src/query/index.ts';
import type { ScenarioRunStats } from '../scenarios/generators/index.ts';
import { jsonText, scriptSafeJson } from './json-text.ts';
import { type DashboardServer, startDashboardServer } from './server.ts';

const BIG = 2n ** 60n + 1n; // 1152921504606846977: not a safe integer

describe('dashboard JSON', () => {
  it('writes a bigint as its exact decimal string, and a Decimal-like toJSON as it gives', () => {
    expect(
      jsonText({ storeId: BIG, n: 1, d: { toJSON: () => '0.1000000000000000000000000000000000001' } }),
    ).toBe('{"storeId":"1152921504606846977","n":1,"d":"0.1000000000000000000000000000000000001"}');
    expect(jsonText({ m: new Map([['a', 1n]]), s: new Set([2]), inf: Infinity })).toBe(
      '{"m":{"a":"1"},"s":[2],"inf":"Infinity"}',
    );
  });

  it('escapes what could end a <script> element or open markup, and parses back to the same value', () => {
    const hostile = { group: '</script><script>alert(1)</script><!--', amp: 'a&b', ls: '\u2028\u2029' };
    const text = scriptSafeJson(hostile);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });
});

describe('dashboard server: JSON and the page', () => {
  const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never called
  const query = createQueryClient({ client, table: 'unused', rollups: [] });
  let server: DashboardServer | undefined;
  afterAll(async () => {
    await server?.close();
    query.close();
    client.destroy();
  });

  it('/api/state and the page carry a value beyond 2^53; the page embeds it escaped, under a strict CSP', async () => {
    const stats: ScenarioRunStats = {
      id: 's4',
      rate: 1,
      written: { insert: 0, modify: 0, delete: 0, resend: 0 },
      total: BIG as unknown as number, // a counter past 2^53, as a bigint
      errors: 0,
      lastWriteAt: 0,
    };
    server = await startDashboardServer({
      query,
      scenarios: [],
      port: 0,
      sources: {
        generators: {
          paused: false,
          pause: async () => {},
          resume: () => {},
          setRate: () => {},
          stats: () => [{ ...stats, id: '</script><script>alert(1)//' as ScenarioRunStats['id'] }],
        },
      },
    });
    const api = await fetch(`${server.url}/api/state`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { generators: { scenarios: { total: string; id: string }[] } };
    expect(body.generators.scenarios[0]?.total).toBe('1152921504606846977');

    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await page.text();
    const m = html.match(/<script type="application\/json" id="initial-state">(.*?)<\/script>/s);
    expect(m).not.toBeNull();
    const embedded = JSON.parse(m?.[1] ?? '') as typeof body;
    expect(embedded.generators.scenarios[0]).toMatchObject({
      total: '1152921504606846977',
      id: '</script><script>alert(1)//',
    });
    expect(html.match(/<script/g)?.length).toBe(3); // chart.js, the data block, app.js: nothing injected
  });
});

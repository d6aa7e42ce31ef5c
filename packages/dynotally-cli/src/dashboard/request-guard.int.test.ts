// Cross-site requests and DNS rebinding, with real HTTP requests to a running dashboard (loopback sockets):
// a page on another origin must not pause the generators or change their rate, and a rebound host name must
// not read the state; the dashboard's own page (same origin, JSON) still can.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  recordingGenerators,
  startBareDashboard,
} from '../../../../test/support/dashboard-http.ts';
import type { DashboardServer } from './server.ts';

const send = (port: number, method: string, path: string, headers: Record<string, string>, body?: string) =>
  rawRequest({ port, method, path, headers, body });

const generators = recordingGenerators();
const { calls } = generators;

let dashboard: DashboardServer;
let host = '';
beforeAll(async () => {
  // The guard answers before any panel is built, so the query client is never reached in these tests.
  dashboard = await startBareDashboard({ generators });
  host = `127.0.0.1:${dashboard.port}`;
});
afterAll(() => dashboard.close());

const pause = JSON.stringify({ action: 'pause' });
const rate = JSON.stringify({ rate: 10_000 });

describe('dashboard: cross-site requests and DNS rebinding', () => {
  it('refuses a cross-origin text/plain POST (the "simple request" a page can send without preflight)', async () => {
    calls.length = 0;
    for (const [type, body] of [
      ['text/plain', pause],
      ['text/plain;charset=UTF-8', rate],
      ['application/x-www-form-urlencoded', rate],
      ['multipart/form-data; boundary=x', rate],
    ] as const) {
      const r = await send(
        dashboard.port,
        'POST',
        '/api/generators',
        { host, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': type },
        body,
      );
      expect(r.status, type).toBe(403);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(calls).toEqual([]);
  });

  it('refuses a JSON POST from another origin, another site, or a null origin', async () => {
    calls.length = 0;
    const variants: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'http://localhost:1' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: `http://${host}`, 'sec-fetch-site': 'cross-site' },
    ];
    for (const h of variants) {
      const r = await send(
        dashboard.port,
        'POST',
        '/api/generators',
        { host, 'content-type': 'application/json', ...h },
        rate,
      );
      expect(r.status, JSON.stringify(h)).toBe(403);
    }
    expect(calls).toEqual([]);
  });

  it('refuses any Host but 127.0.0.1 / localhost / [::1] with its port (DNS rebinding), for reads too', async () => {
    calls.length = 0;
    for (const h of [
      'evil.example',
      `evil.example:${dashboard.port}`,
      '127.0.0.1',
      '127.0.0.1:1',
      'localhost',
    ]) {
      const get = await send(dashboard.port, 'GET', '/api/state', { host: h });
      expect(get.status, h).toBe(403);
      expect(get.body).toContain('is not this dashboard');
      const page = await send(dashboard.port, 'GET', '/', { host: h });
      expect(page.status, h).toBe(403);
      const post = await send(
        dashboard.port,
        'POST',
        '/api/generators',
        {
          host: h,
          'content-type': 'application/json',
          origin: `http://${h}`,
          'sec-fetch-site': 'same-origin',
        },
        pause,
      );
      expect(post.status, h).toBe(403);
    }
    expect(calls).toEqual([]);
  });

  it('answers a preflight with no CORS headers', async () => {
    const r = await send(dashboard.port, 'OPTIONS', '/api/generators', {
      host,
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(r.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });

  it("accepts the dashboard's own page (same origin, JSON) on every loopback name, and plain scripts", async () => {
    calls.length = 0;
    for (const h of [
      host,
      `localhost:${dashboard.port}`,
      `[::1]:${dashboard.port}`,
      `LOCALHOST:${dashboard.port}`,
    ]) {
      const r = await send(
        dashboard.port,
        'POST',
        '/api/generators',
        {
          host: h,
          origin: `http://${h.toLowerCase()}`,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/json',
        },
        pause,
      );
      expect(r.status, h).toBe(200);
      expect((await send(dashboard.port, 'GET', '/healthz', { host: h })).status).toBe(200);
    }
    // curl / scripts send neither Origin nor Sec-Fetch-Site
    const script = await send(
      dashboard.port,
      'POST',
      '/api/generators',
      { host, 'content-type': 'application/json; charset=utf-8' },
      rate,
    );
    expect(script.status).toBe(200);
    expect(calls).toEqual(['pause', 'pause', 'pause', 'pause', 'rate 10000']);
  });
});

// Review s41d (dashboard, HTTP headers): no answer of the dashboard carried `X-Content-Type-Options: nosniff`, the one
// header that makes a browser keep to the declared type: without it a `<script src>` or `<link rel=stylesheet>` of
// another page may sniff a JSON or error answer as script or style. The page alone had a Content-Security-Policy; its
// script, its styles, chart.js, every JSON answer (the state, the 403/404/413 errors, whose text echoes the request
// target) came without any such header, and nothing but the page's CSP kept the dashboard out of frames.
// Observed: `x-content-type-options` absent on GET /, /app.js, /api/state and a 404.
// Expected: `nosniff` on every answer; `X-Frame-Options: DENY` beside the page's `frame-ancestors 'none'` for
// browsers without CSP level 2.
// Fixed (s41d): server.ts sends both headers on every answer (`COMMON_HEADERS`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import { rawRequest, recordingGenerators, startBareDashboard } from '../support/dashboard-http.ts';

let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startBareDashboard({ generators: recordingGenerators() });
});
afterAll(() => dashboard.close());

describe('every dashboard answer', () => {
  it.each([
    ['GET', '/'],
    ['HEAD', '/'],
    ['GET', '/app.js'],
    ['GET', '/app.css'],
    ['GET', '/vendor/chart.umd.min.js'],
    ['GET', '/api/state'],
    ['GET', '/healthz'],
    ['GET', '/no-such-file'],
    ['POST', '/api/generators'],
  ])('%s %s carries X-Content-Type-Options: nosniff and X-Frame-Options: DENY', async (method, path) => {
    const r = await rawRequest({ port: dashboard.port, method, path });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('a refused Host (403) carries them too', async () => {
    const r = await rawRequest({ port: dashboard.port, path: '/', headers: { host: 'evil.example' } });
    expect(r.status).toBe(403);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });
});

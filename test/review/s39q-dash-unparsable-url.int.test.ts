// Review s39q (dashboard): a request target that `new URL(req.url, 'http://dashboard')` cannot parse (`//`, `///`,
// `//@`, `//a b`: a raw client can send them, Node's parser accepts them) throws before the guard runs
// (server.ts, first line of `handle`); the catch turns it into 500 {"error":"ERROR: Invalid URL"}, for any peer
// and any Host (a foreign Host, as DNS rebinding sends, is answered 500 instead of the guard's 403).
// Observed: GET // → 500 "ERROR: Invalid URL", with Host evil.example too.
// Expected: a client error (400) naming the bad target, no 5xx; the foreign Host still refused.
// Fixed (s39q): server.ts parses the target with URL.parse and answers 400 naming it when it is not a URL path,
// before the guard (nothing is read or changed for it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import { rawRequest, recordingGenerators, startBareDashboard } from '../support/dashboard-http.ts';

let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startBareDashboard({ generators: recordingGenerators() });
});
afterAll(() => dashboard.close());

describe('an unparsable request target', () => {
  it.each(['//', '///', '//@'])('answers GET %s with 400, not 500', async (path) => {
    const r = await rawRequest({ port: dashboard.port, path });
    expect(r.status).toBe(400);
  });

  it('answers it with 4xx for a foreign Host too', async () => {
    const r = await rawRequest({ port: dashboard.port, path: '//', headers: { host: 'evil.example' } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });
});

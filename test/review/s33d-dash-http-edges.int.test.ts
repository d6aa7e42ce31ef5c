// Review s33d (dashboard): two small HTTP edges of the dashboard server.
// 1. A POST body over readJson's 10,000-character cap (packages/dynotally-cli/src/dashboard/server.ts:230-241) is
//    answered 400 {"error":"Invalid input"} (zod's text for `undefined`), the same as any malformed JSON: the caller
//    is not told the body was too large. readJson also leaves the loop early, which destroys the request stream, so
//    a keep-alive client's next request on that socket fails (ECONNRESET).
// 2. HEAD / and HEAD /app.js are 404 while GET serves them: the guard treats HEAD as a safe method
//    (request-guard.ts:23), but the handler matches `req.method === 'GET'` only (server.ts:169, 181).
// Observed: 400 "Invalid input" for a 20 kB body; 404 for HEAD /.
// Expected: 413 with a message naming the limit; HEAD answered like GET without a body.
// Suggested fix: in readJson, throw a coded "body over 10 kB" the handler turns into 413 (and drain rather than
//    destroy); in the handler, treat HEAD as GET for the page and files (Node omits the body for HEAD).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import { rawRequest, recordingGenerators, startBareDashboard } from '../support/dashboard-http.ts';

const send = (port: number, method: string, path: string, headers: Record<string, string>, body?: string) =>
  rawRequest({ port, method, path, headers, body });

let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startBareDashboard({ generators: recordingGenerators() });
});
afterAll(() => dashboard.close());

describe('dashboard HTTP edges', () => {
  // Defect: an oversized body is reported as "Invalid input" (400), not as too large.
  it('answers a body over the 10 kB cap with 413 naming the limit', async () => {
    const reply = await send(
      dashboard.port,
      'POST',
      '/api/generators',
      { 'content-type': 'application/json' },
      JSON.stringify({ rate: 1, pad: 'x'.repeat(20_000) }),
    );
    expect(reply.status).toBe(413);
  });

  // Defect: HEAD passes the guard as a safe method but the handler serves GET only.
  it('answers HEAD /app.js as GET does (200, no body)', async () => {
    const reply = await send(dashboard.port, 'HEAD', '/app.js', {});
    expect(reply.status).toBe(200);
  });
});

// Review s33d (dashboard): listening on a non-loopback --host (`dynotally dev --host 0.0.0.0`, or the machine's LAN
// address) hands the control API to every peer on the network, while the page itself is refused to them.
// guardRequest (packages/dynotally-cli/src/dashboard/request-guard.ts:60-86) decides on the Host header and the
// browser's Origin / Sec-Fetch-Site only, and lets clients that send neither ("scripts") post JSON. That is sound on
// loopback, where only local processes connect; on 0.0.0.0 any host on the network can send
// `Host: 127.0.0.1:<port>` with no Origin and pause or re-rate the generators (POST /api/generators) or start and
// promote the change-a-rollup demo (POST /api/change-rollup) — nothing authenticates them and nothing looks at the
// socket's remote address. At the same time a real browser on the LAN (Host = the machine's address) is 403, and
// so is the URL the server reports for 0.0.0.0 (`http://0.0.0.0:<port>`, which `dev` prints and opens: the browser
// sends Host 0.0.0.0:<port>, not in allowedHosts, request-guard.ts:26-37). dev --host takes any string
// (commands/dev.ts:21) and prints no warning.
// Observed: POST /api/generators {action:'pause'} from the LAN address with Host 127.0.0.1:<port> → 200 and the
// generators pause; GET <the server's url>/healthz → 403 "is not this dashboard".
// Expected: a peer that is not on loopback is refused the control API (or --host takes loopback addresses only),
// and the URL the server reports is one it answers.
// Suggested fix: in the server, refuse state-changing requests (and API reads) whose req.socket.remoteAddress is not
// loopback unless the user opted in (e.g. --host with a printed warning and a random token in the URL); for
// 0.0.0.0 / :: report http://127.0.0.1:<port> and accept Host values naming the machine's interfaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import { lanAddress, rawStatus, recordingGenerators, startBareDashboard } from '../support/dashboard-http.ts';

/** A non-loopback IPv4 address of this machine (the address a LAN peer reaches it at). */
const lan = lanAddress();

const generators = recordingGenerators();
const { calls } = generators;

let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startBareDashboard({ generators, host: '0.0.0.0' });
});
afterAll(() => dashboard.close());

describe.skipIf(lan === undefined)('a dashboard listening on 0.0.0.0, reached from the LAN address', () => {
  // Defect: a network peer spoofing Host 127.0.0.1 drives the generators; nothing checks the remote address.
  it('refuses a pause posted from a non-loopback peer with a spoofed loopback Host', async () => {
    calls.length = 0;
    const status = await rawStatus({
      ip: lan as string,
      port: dashboard.port,
      method: 'POST',
      path: '/api/generators',
      headers: { host: `127.0.0.1:${dashboard.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pause' }),
    });
    expect(calls).toEqual([]);
    expect(status).toBe(403);
  });
});

describe('the URL a 0.0.0.0 dashboard reports', () => {
  // Defect: the reported URL (http://0.0.0.0:<port>) is refused by the dashboard's own Host check.
  it('is answered when opened as a browser would (Host taken from the URL)', async () => {
    const url = new URL('/healthz', dashboard.url);
    const status = await rawStatus({ port: dashboard.port, path: url.pathname, headers: { host: url.host } });
    expect(status).toBe(200);
  });
});

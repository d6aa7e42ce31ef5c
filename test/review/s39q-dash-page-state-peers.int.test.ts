// Review s39q (dashboard): the page (`GET /`) carries the first state embedded in it (page-with-state.ts), and the
// server builds and embeds it for every peer it serves the page to (server.ts, the `safe && pathname === '/'`
// branch). The page is not an API path, so the loopback / token check that guards `GET /api/state` never runs for
// it. Listening on 0.0.0.0 without remoteControl, a LAN peer is refused `/api/state` (403) but gets the same state
// (every panel's aggregates, generator and worker figures) inside the HTML of `/`; with remoteControl, any peer
// without the token gets it the same way. Each such page load also runs every panel's reads.
// Observed: a LAN peer's GET / holds `<script type="application/json" id="initial-state">` with the generators'
// figures, while its GET /api/state is 403.
// Expected: the first state is embedded only for a peer that may read /api/state (loopback, or the token holder);
// others get the bare page, which fills at its first (refused) poll.
// Fixed (s39q): server.ts decides the embedded state with the same check as the API (`apiDenied`: loopback peer, or
// the token with remoteControl); a peer refused the API gets the page without a state (and runs no reads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../../packages/dynotally-cli/src/dashboard/server.ts';
import type { ScenarioRunStats } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';
import {
  lanAddress,
  rawRequest,
  recordingGenerators,
  startBareDashboard,
} from '../support/dashboard-http.ts';

const lan = lanAddress();
const MARK = 'id="initial-state"';
/** A figure only the state carries: 987654321 writes. */
const stats: ScenarioRunStats[] = [
  {
    id: 's4',
    rate: 5,
    written: { insert: 987_654_321, modify: 0, delete: 0, resend: 0 },
    total: 987_654_321,
    errors: 0,
    lastWriteAt: 0,
  },
];

describe('the page served to a peer that may not read the API', () => {
  let open: DashboardServer;
  let tokened: DashboardServer;
  beforeAll(async () => {
    open = await startBareDashboard({ generators: recordingGenerators(stats), host: '0.0.0.0' });
    tokened = await startBareDashboard({
      generators: recordingGenerators(stats),
      host: '0.0.0.0',
      remoteControl: true,
    });
  });
  afterAll(async () => {
    await open.close();
    await tokened.close();
  });

  it('embeds the state for a loopback peer (control)', async () => {
    const r = await rawRequest({ port: open.port, path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toContain(MARK);
    expect(r.body).toContain('987654321');
  });

  it.skipIf(lan === undefined)('does not embed it for a LAN peer refused /api/state', async () => {
    const ip = lan as string;
    expect((await rawRequest({ ip, port: open.port, path: '/api/state' })).status).toBe(403);
    const page = await rawRequest({ ip, port: open.port, path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('987654321');
    expect(page.body).not.toContain(MARK);
  });

  it('does not embed it without the token when remoteControl is on', async () => {
    expect((await rawRequest({ port: tokened.port, path: '/api/state' })).status).toBe(403);
    const page = await rawRequest({ port: tokened.port, path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('987654321');
  });
});

// Review s19 (dashboard server): the 300 ms state cache is never emptied, and any web page can fill it.
// server.ts keeps every state it builds in `inflight`, a Map keyed by the selection `${meter}|${store}` taken
// verbatim from the query string of GET /api/state; an entry is replaced only when the same key is asked again
// after 300 ms and deleted only when its build fails. GET needs no Origin or Sec-Fetch-Site check (request-guard.ts
// checks those for changes only), and the Host check passes for a request the user's browser sends to
// http://127.0.0.1:4700 itself. So a page on any origin the user visits can run
//   for (let i = 0; ; i++) new Image().src = `http://127.0.0.1:4700/api/state?store=${i}`;
// (a no-cors image request: no preflight, no CORS needed since it does not read the answer), and every distinct
// `store` (or `meter`) value builds a full state (all the panels' reads against DynamoDB) and keeps it in the dev
// stack's memory for as long as the dashboard runs: memory grows without bound until the process dies. The
// dashboard's own page only ever asks for the meters and stores it lists, so a bound costs it nothing.
// Observed: after 200 cross-site GETs with distinct `store` values and the clock 10 minutes later, all 200 states
// are still reachable (a full GC collects none of them).
// Expected: states older than the cache window are dropped (at most a few recent selections kept), so a cross-site
// page cannot grow the server's memory; arguably also refuse GET /api/state when the browser says
// `Sec-Fetch-Site: cross-site` (no page of the dashboard's own needs it).
// Suggested fix: keep one cache entry per key only while it is fresh (delete it when its 300 ms are over, e.g. on
// the next request sweep entries older than CACHE_MS, or cap the map at a few dozen keys, oldest out); and in
// guardRequest refuse API reads whose Sec-Fetch-Site is neither same-origin nor none.
// Fixed (session 19): the cache (dashboard/state-cache.ts, StateCache) drops states older than its 300 ms window on
// every lookup and keeps 16 selections at most, and guardRequest refuses API reads whose Sec-Fetch-Site is present and
// neither same-origin nor none (403); this was the review's it.fails. The second test sends the same GETs as a
// script would (no Sec-Fetch-Site, still served) so that the cache bound itself is checked, not only the refusal.
import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  type DashboardServer,
  startDashboardServer,
} from '../../packages/dynotally-cli/src/dashboard/server.ts';
import type { DashboardState } from '../../packages/dynotally-cli/src/dashboard/state/types.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A GET as a cross-site page's `new Image().src = …` sends it: no Origin, Sec-Fetch-Site cross-site. */
function crossSiteGet(port: number, path: string): Promise<number> {
  return get(port, path, {
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'no-cors',
    'sec-fetch-dest': 'image',
    referer: 'https://attacker.example/',
  });
}

/** A GET as a script (curl) sends it: no Sec-Fetch-* headers, which the dashboard serves. */
function scriptGet(port: number, path: string): Promise<number> {
  return get(port, path, {});
}

function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'GET',
        path,
        headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard state cache under cross-site GETs', () => {
  let clock = Date.UTC(2026, 10, 22, 13);
  let dashboard: DashboardServer;
  beforeAll(async () => {
    // no panels: the state is built from the sources alone, the query client is never reached
    dashboard = await startDashboardServer({
      query: {} as QueryClient,
      scenarios: [],
      port: 0,
      now: () => clock,
    });
  });
  afterAll(() => dashboard.close());

  it('does not keep a state for every selection a page ever asked for', async () => {
    const N = 200;
    const refs: WeakRef<DashboardState>[] = [];
    for (let i = 0; i < N; i++) {
      const status = await crossSiteGet(dashboard.port, `/api/state?store=x${i}`);
      if (status !== 200) continue; // refused cross-site reads are a fix too
      // the same instant: the state the request built and cached, the same object
      refs.push(new WeakRef(await dashboard.state({ store: `x${i}` })));
    }
    clock += 10 * 60_000; // ten minutes later: every one of them is long past the 300 ms cache
    await crossSiteGet(dashboard.port, '/api/state');
    const control = new WeakRef({ unreferenced: new Array(1_000).fill(0) }); // proves the GC below collects
    await new Promise((r) => setTimeout(r, 10)); // WeakRef targets stay alive until the current job ends
    gc();
    expect(control.deref(), 'the GC collected an unreferenced object').toBeUndefined();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive, `${alive} of ${refs.length} stale states still held`).toBeLessThanOrEqual(5);
  });

  it('refuses the cross-site read itself (403), and bounds what scripts can fill too', async () => {
    expect(await crossSiteGet(dashboard.port, '/api/state?store=y')).toBe(403);
    const N = 200;
    const refs: WeakRef<DashboardState>[] = [];
    for (let i = 0; i < N; i++) {
      expect(await scriptGet(dashboard.port, `/api/state?store=y${i}`)).toBe(200);
      refs.push(new WeakRef(await dashboard.state({ store: `y${i}` })));
    }
    // within the window, at most the cap is held
    await new Promise((r) => setTimeout(r, 10));
    gc();
    const held = refs.filter((r) => r.deref() !== undefined).length;
    expect(held, `${held} of ${N} states held within the window`).toBeLessThanOrEqual(16);
    clock += 10 * 60_000;
    await scriptGet(dashboard.port, '/api/state');
    await new Promise((r) => setTimeout(r, 10));
    gc();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive, `${alive} of ${N} stale states still held`).toBe(0);
  });
});

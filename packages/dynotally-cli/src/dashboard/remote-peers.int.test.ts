// Who may use the dashboard's API and controls: loopback peers, or (with remoteControl) holders of the token;
// a wildcard host answers its own interface addresses and reports a URL a browser can open. Real sockets from
// this machine's LAN address stand in for a network peer (skipped when the machine has none).
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryClient } from '../../../dynotally/src/query/index.ts';
import { type DashboardServer, startDashboardServer } from './server.ts';
import type { GeneratorControl } from './sources.ts';

function send(
  ip: string,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, method, path, headers, setHost: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const lan = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

const calls: string[] = [];
const generators: GeneratorControl = {
  paused: false,
  pause: async () => {
    calls.push('pause');
  },
  resume: () => calls.push('resume'),
  setRate: (rate) => calls.push(`rate ${rate}`),
  stats: () => [],
};
const start = (remoteControl: boolean): Promise<DashboardServer> =>
  startDashboardServer({
    query: {} as QueryClient,
    scenarios: [],
    sources: { generators },
    port: 0,
    host: '0.0.0.0',
    remoteControl,
  });
const pause = JSON.stringify({ action: 'pause' });

describe('a dashboard on 0.0.0.0 without remote control', () => {
  let d: DashboardServer;
  beforeAll(async () => {
    d = await start(false);
  });
  afterAll(() => d.close());

  it('reports and answers http://127.0.0.1:<port>, and says it listens beyond loopback', async () => {
    expect(d.url).toBe(`http://127.0.0.1:${d.port}`);
    expect(d.pageUrl).toBe(d.url);
    expect(d.beyondLoopback).toBe(true);
    expect(await send('127.0.0.1', d.port, 'GET', '/healthz', { host: `127.0.0.1:${d.port}` })).toBe(200);
  });

  it('still lets this machine pause the generators', async () => {
    calls.length = 0;
    const host = `127.0.0.1:${d.port}`;
    expect(
      await send(
        '127.0.0.1',
        d.port,
        'POST',
        '/api/generators',
        { host, 'content-type': 'application/json' },
        pause,
      ),
    ).toBe(200);
    expect(calls).toEqual(['pause']);
  });

  it.skipIf(lan === undefined)(
    'serves a LAN browser the page, and refuses it the API and the controls',
    async () => {
      calls.length = 0;
      const host = `${lan}:${d.port}`;
      const ip = lan as string;
      expect(await send(ip, d.port, 'GET', '/app.js', { host })).toBe(200);
      expect(await send(ip, d.port, 'GET', '/api/state', { host })).toBe(403);
      const json = { host, 'content-type': 'application/json', origin: `http://${host}` };
      expect(await send(ip, d.port, 'POST', '/api/generators', json, pause)).toBe(403);
      expect(await send(ip, d.port, 'POST', '/api/change-rollup', json, '{"action":"start"}')).toBe(403);
      expect(calls).toEqual([]);
    },
  );

  it('still refuses a foreign Host (DNS rebinding)', async () => {
    expect(await send('127.0.0.1', d.port, 'GET', '/', { host: `evil.example:${d.port}` })).toBe(403);
  });
});

describe('a dashboard on 0.0.0.0 with remote control', () => {
  let d: DashboardServer;
  let token = '';
  beforeAll(async () => {
    d = await start(true);
    token = new URLSearchParams(new URL(d.pageUrl).hash.slice(1)).get('token') ?? '';
  });
  afterAll(() => d.close());

  it('puts a random token in the page URL fragment', () => {
    expect(d.pageUrl.startsWith(`${d.url}/#token=`)).toBe(true);
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it('needs the token on every API and control request, from loopback too', async () => {
    calls.length = 0;
    const host = `127.0.0.1:${d.port}`;
    const json = { host, 'content-type': 'application/json' };
    expect(await send('127.0.0.1', d.port, 'GET', '/api/state', { host })).toBe(403);
    expect(await send('127.0.0.1', d.port, 'POST', '/api/generators', json, pause)).toBe(403);
    expect(
      await send(
        '127.0.0.1',
        d.port,
        'POST',
        '/api/generators',
        { ...json, 'x-dynotally-token': `${token}x` },
        pause,
      ),
    ).toBe(403);
    expect(calls).toEqual([]);
    expect(await send('127.0.0.1', d.port, 'GET', '/', { host })).toBe(200);
  });

  it.skipIf(lan === undefined)('lets a LAN peer holding the token control the generators', async () => {
    calls.length = 0;
    const host = `${lan}:${d.port}`;
    const headers = { host, 'content-type': 'application/json', 'x-dynotally-token': token };
    expect(await send(lan as string, d.port, 'POST', '/api/generators', headers, pause)).toBe(200);
    expect(calls).toEqual(['pause']);
  });
});

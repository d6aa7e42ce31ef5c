// Who may use the dashboard's API and controls: loopback peers, or (with remoteControl) holders of the token;
// a wildcard host answers its own interface addresses and reports a URL a browser can open. Real sockets from
// this machine's LAN address stand in for a network peer (skipped when the machine has none).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lanAddress,
  rawStatus,
  recordingGenerators,
  startBareDashboard,
} from '../../../../test/support/dashboard-http.ts';
import type { DashboardServer } from './server.ts';

const send = (
  ip: string,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) => rawStatus({ ip, port, method, path, headers, body });

const lan = lanAddress();

const generators = recordingGenerators();
const { calls } = generators;
const start = (remoteControl: boolean): Promise<DashboardServer> =>
  startBareDashboard({ generators, host: '0.0.0.0', remoteControl });
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
    const json = { host: `127.0.0.1:${d.port}`, 'content-type': 'application/json' };
    expect(await send('127.0.0.1', d.port, 'POST', '/api/generators', json, pause)).toBe(200);
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
    const wrongToken = { ...json, 'x-dynotally-token': `${token}x` };
    expect(await send('127.0.0.1', d.port, 'POST', '/api/generators', wrongToken, pause)).toBe(403);
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

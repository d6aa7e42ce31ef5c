// The dashboard's HTTP edges: an oversized body is 413 and leaves a keep-alive connection usable (its rest is
// drained, up to a bound past which the answer closes the connection), and HEAD is answered as GET without a body.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  recordingGenerators,
  startBareDashboard,
} from '../../../../test/support/dashboard-http.ts';
import { DRAIN_BYTES, MAX_BODY_BYTES } from './read-json.ts';
import type { DashboardServer } from './server.ts';

const send = (port: number, agent: Agent | false, method: string, path: string, body?: string) =>
  rawRequest({
    port,
    agent,
    method,
    path,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });

const generators = recordingGenerators();
const { calls } = generators;

let dashboard: DashboardServer;
let agent: Agent;
beforeAll(async () => {
  dashboard = await startBareDashboard({ generators });
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});
afterAll(async () => {
  agent.destroy();
  await dashboard.close();
});

describe('an oversized body', () => {
  it('is 413 naming the limit, and the same keep-alive connection then serves the next request', async () => {
    const big = JSON.stringify({ rate: 1, pad: 'x'.repeat(MAX_BODY_BYTES * 2) });
    const first = await send(dashboard.port, agent, 'POST', '/api/generators', big);
    expect(first.status).toBe(413);
    expect(JSON.parse(first.body).error).toBe('request body over 10,000 bytes');
    expect(first.headers.connection).toBe('keep-alive');
    calls.length = 0;
    const next = await send(dashboard.port, agent, 'POST', '/api/generators', JSON.stringify({ rate: 3 }));
    expect(next.status).toBe(200);
    expect(next.socket).toBe(first.socket);
    expect(calls).toEqual(['rate 3']);
  });

  it('beyond the drain bound is 413 with Connection: close, unread', async () => {
    const huge = JSON.stringify({ rate: 1, pad: 'x'.repeat(DRAIN_BYTES + 10) });
    const reply = await send(dashboard.port, false, 'POST', '/api/generators', huge).catch((e: Error) => e);
    // the client may still be writing when the server closes: then it sees the reset, never a 200
    if (!(reply instanceof Error)) {
      expect(reply.status).toBe(413);
      expect(reply.headers.connection).toBe('close');
    } else expect((reply as { code?: string }).code).toMatch(/ECONNRESET|EPIPE/);
  });

  it('a body just under the cap is read as usual', async () => {
    calls.length = 0;
    const body = JSON.stringify({ rate: 4 }).padEnd(MAX_BODY_BYTES, ' ');
    expect((await send(dashboard.port, false, 'POST', '/api/generators', body)).status).toBe(200);
    expect(calls).toEqual(['rate 4']);
  });
});

describe('HEAD', () => {
  it.each(['/', '/app.js', '/app.css', '/vendor/chart.umd.min.js', '/healthz'])(
    'answers HEAD %s as GET, without the body',
    async (path) => {
      const get = await send(dashboard.port, false, 'GET', path);
      const head = await send(dashboard.port, false, 'HEAD', path);
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      if (path !== '/') expect(head.headers['content-length']).toBe(get.headers['content-length']);
    },
  );

  it('is still 404 for a path the dashboard does not serve', async () => {
    expect((await send(dashboard.port, false, 'HEAD', '/nope')).status).toBe(404);
  });
});

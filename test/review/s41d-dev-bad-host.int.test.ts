// Review s41d (dev stack, binding): `dynotally dev --host <an address this machine does not have>` (a typo, a LAN
// address of yesterday's network, a name that does not resolve) is only tried when the dashboard starts, the last
// step: after DynamoDB Local, the tables, the workers, the history and the generators (18 s with one scenario at load
// 12, a minute by default). Then listenOnFreePort (dashboard/listen.ts) reports every listen error but a busy port as
// "cannot listen on 192.0.2.1:0: listen EADDRNOTAVAIL … (give another --port)": the port was never the problem.
// Observed: with `endpoint` pointing at a closed port, startDevStack({ host: '192.0.2.1' }) fails on DynamoDB
// (ECONNREFUSED) before it ever looks at the host; once it does, the advice names --port.
// Expected: the host is checked before anything starts, and refused (CONFIG_INVALID) naming --host and what to give.
// Fixed (s41d): startDevStack checks the dashboard's host first (checkListenHost, dashboard/listen.ts); listen
// errors that are the host's (EADDRNOTAVAIL, ENOTFOUND, EAI_AGAIN) name --host, not --port.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenOnFreePort } from '../../packages/dynotally-cli/src/dashboard/listen.ts';
import { startDevStack } from '../../packages/dynotally-cli/src/dev/index.ts';
import { closedPort } from '../support/closed-port.ts';

/** What `p` rejects with (`undefined` when it resolves). */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** TEST-NET-1 (RFC 5737): never an address of this machine. */
const ELSEWHERE = '192.0.2.1';

describe('a dashboard host this machine does not have', () => {
  it('dev refuses it before it starts anything, naming --host', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const e = await rejection(
      startDevStack({ endpoint, host: ELSEWHERE, port: 0, scenarios: ['s0'], history: 0 }),
    );
    expect(e).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((e as Error).message).toContain('--host');
    expect((e as Error).message).not.toContain('--port');
  });

  it.each([ELSEWHERE, 'no-such-host.invalid'])('listening on %s names --host, not --port', async (host) => {
    const server = createServer();
    try {
      const e = await rejection(listenOnFreePort(server, host, 0));
      expect(e).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((e as Error).message).toContain('--host');
      expect((e as Error).message).not.toContain('--port');
    } finally {
      server.close();
    }
  });
});

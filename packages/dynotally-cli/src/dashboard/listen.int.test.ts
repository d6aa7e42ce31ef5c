import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnFreePort } from './listen.ts';

describe('listenOnFreePort (loopback sockets)', () => {
  const servers = [createServer(), createServer(), createServer()];
  afterEach(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
  });

  it('takes the next free port when the one asked for is busy, and says which was busy', async () => {
    const first = await listenOnFreePort(servers[0]!, '127.0.0.1', 0);
    expect(first.busy).toEqual([]);
    // Probe upwards for a port whose successor is free too, then occupy it.
    const taken = first.port;
    const second = await listenOnFreePort(servers[1]!, '127.0.0.1', taken);
    expect(second.busy[0]).toBe(taken);
    expect(second.port).toBeGreaterThan(taken);
    expect(second.port).toBe(taken + second.busy.length);
  });

  it('fails with CONFIG_INVALID naming --port when every port tried is busy', async () => {
    const a = await listenOnFreePort(servers[0]!, '127.0.0.1', 0);
    await expect(listenOnFreePort(servers[2]!, '127.0.0.1', a.port, 1)).rejects.toThrow(
      /all busy \(give a free one with --port/,
    );
  });
});
